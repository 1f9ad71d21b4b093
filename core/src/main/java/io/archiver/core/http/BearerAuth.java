package io.archiver.core.http;

import io.archiver.core.auth.Principal;
import io.archiver.core.auth.Role;
import io.archiver.core.auth.TokenStore;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/** Checks {@code Authorization: Bearer <token>} against the token file: 401 unknown, 403 wrong role. */
public final class BearerAuth {

    private static final String PREFIX = "Bearer ";

    private final TokenStore tokens;

    public BearerAuth(TokenStore tokens) {
        this.tokens = tokens;
    }

    public Principal require(Context ctx, Role role) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw new ApiException(401, "missing bearer token: send 'Authorization: Bearer <token>'", List.of(),
                    Map.of("WWW-Authenticate", "Bearer"));
        }
        Principal principal = tokens.find(header.substring(PREFIX.length()).strip()).orElseThrow(() ->
                new ApiException(401, "unknown bearer token", List.of(), Map.of("WWW-Authenticate", "Bearer error=\"invalid_token\"")));
        if (!principal.role().grants(role)) {
            throw new ApiException(403, "token '" + principal.name() + "' has role " + principal.role().wireName()
                    + "; this call needs role " + role.wireName());
        }
        return principal;
    }
}
