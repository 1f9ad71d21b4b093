/**
 * The auditor's side of the archive: search, exports with a SHA-256 manifest, integrity verification.
 */
package io.archiver.compliance;
