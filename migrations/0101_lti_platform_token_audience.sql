-- The `aud` of client assertions sent to the platform's token endpoint (LTI Security Framework §4.1.1: the
-- token endpoint URL, or the authorization server's identifier when the platform names one). Brightspace,
-- for one, expects `https://api.brightspace.com/auth/token` rather than its token URL. NULL: use auth_token_url.
ALTER TABLE platforms ADD COLUMN auth_token_audience text;
