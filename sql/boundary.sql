--
-- boundary: drive every error path twice in one database session, then run
-- ordinary queries. Each distinct error that sign, verify, decode, header and
-- url_* can raise (enumerated from the Status::Malformed / InvalidArgument
-- results in src/core and the ereport calls in src/pg) is raised at top
-- level twice in a row, so that a leak, a stale OpenSSL error queue, a
-- half-built cache entry or a C++ object skipped by longjmp would show on
-- the second call or in the queries at the end. Errors are printed tersely
-- (message only: details are checked in the feature suites) and each pair
-- is followed by its SQLSTATE. The harness separately checks the server log
-- for crashes.
--
-- Not reachable from SQL, so not here: OpenSSL failures (XX000 "could not
-- ..."), out of memory (53200), and "function returning record called in
-- context that cannot accept type record".
--
\set VERBOSITY terse

-- Test-only keys, generated with openssl for this file.
-- EC P-256 private key (PKCS#8)
\set ec_priv '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0q7bQgMno5qFv5zN\nPNFCSQwZIsygawe1THkNVa5YptyhRANCAAR1aPKAC2+vkb3qLKouTerXdD9G58WW\nxRBPKQAS84bOeDMVXYTCX8h0+WEa2OIQVSbCA0zxfMMJaG75IJBf/R31\n-----END PRIVATE KEY-----\n'
-- its public key
\set ec_pub '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEdWjygAtvr5G96iyqLk3q13Q/RufF\nlsUQTykAEvOGzngzFV2Ewl/IdPlhGtjiEFUmwgNM8XzDCWhu+SCQX/0d9Q==\n-----END PUBLIC KEY-----\n'
-- Ed25519 private key
\set ed_priv '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHNktlYN0t3SSazAOJAVMSJtLTG5XAcRsUx77Sr4xS0T\n-----END PRIVATE KEY-----\n'
-- the same, encrypted (PKCS#8, password x)
\set ed_enc '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgw/agEzU+WuAICCAAw\nDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEOAnkfEOvQNnnkjWMm6klTkEQNXb\nLJtxDUuNuug4tINFvbuXw3Z/3WLDCTDfxIauCIo0WugVO/kq62fKjBuMUNSsD52O\nAKPdfNMEbMc7DwdDG4g=\n-----END ENCRYPTED PRIVATE KEY-----\n'
-- RSA-1024 public key (too short for RS*)
\set rsa1024_pub '-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC3RtdjKdM8wsmvieEnXYrNu2kC\nbUSDJlygE/yXYdr/uV/m2A4t2NXPbhi0OrCfWYmQ6p9Sy16tCJ0FFOWnaHjRO94O\n25Uhu2USLutZAdwGaCtlvz3vXsPsTuazepiutGIEc4sDou1gqIDIPXDXmuR6pAnV\n2GSoJzGmYL6ZPaKndwIDAQAB\n-----END PUBLIC KEY-----\n'
-- X25519 public key (key agreement, cannot sign)
\set x25519_pub '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEADWuXweJA5DDY3RSvBkle09LOhOmPPaQRrr68z05FDU4=\n-----END PUBLIC KEY-----\n'
-- EC P-224 public key (no JOSE algorithm)
\set p224_pub '-----BEGIN PUBLIC KEY-----\nME4wEAYHKoZIzj0CAQYFK4EEACEDOgAEj7ffvrpptQyeDI3Y8Ne5CluXbvJxMWZL\njCxoWPp1rBCovcoppUIBYI67CYaXfyuCKmP2kG8sTCA=\n-----END PUBLIC KEY-----\n'


-- 1. base64url --------------------------------------------------------------
-- url_decode: invalid base64url
SELECT jwt.url_decode('YQ==');
SELECT jwt.url_decode('YQ==');
\echo :LAST_ERROR_SQLSTATE

-- 2. algorithm argument (22023) ---------------------------------------------
-- sign: unsupported algorithm
SELECT jwt.sign('{"a":1}', 'secret', 'none');
SELECT jwt.sign('{"a":1}', 'secret', 'none');
\echo :LAST_ERROR_SQLSTATE
-- verify: unsupported algorithm
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), 'secret', 'hs256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), 'secret', 'hs256');
\echo :LAST_ERROR_SQLSTATE
-- verify with a jsonb key: unsupported algorithm
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}'::jsonb, 'RS1');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}'::jsonb, 'RS1');
\echo :LAST_ERROR_SQLSTATE
-- jsonb key without an alg and no algorithm argument: algorithm must be given
SELECT jwt.sign('{"a":1}', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'::jsonb);
SELECT jwt.sign('{"a":1}', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'::jsonb);
\echo :LAST_ERROR_SQLSTATE
-- JWK set none of whose keys names an alg: algorithm must be given
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"},{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"b"}]}'::jsonb);
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"},{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"b"}]}'::jsonb);
\echo :LAST_ERROR_SQLSTATE
-- JWK set whose keys are all skipped (use enc, an X25519 key): no usable key in the JWK set
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","use":"enc"},{"kty":"OKP","crv":"X25519","x":"AA"}]}'::jsonb);
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","use":"enc"},{"kty":"OKP","crv":"X25519","x":"AA"}]}'::jsonb);
\echo :LAST_ERROR_SQLSTATE

-- 3. HMAC secrets (22023) ---------------------------------------------------
-- sign, text key: HMAC secret must not be empty
SELECT jwt.sign('{"a":1}', '');
SELECT jwt.sign('{"a":1}', '');
\echo :LAST_ERROR_SQLSTATE
-- verify, bytea key: HMAC secret must not be empty
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), ''::bytea);
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), ''::bytea);
\echo :LAST_ERROR_SQLSTATE
-- key is a PEM block
SELECT jwt.sign('{"a":1}', :'ec_pub');
SELECT jwt.sign('{"a":1}', :'ec_pub');
\echo :LAST_ERROR_SQLSTATE
-- verify: key is a PEM block
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'ec_pub', 'HS384');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'ec_pub', 'HS384');
\echo :LAST_ERROR_SQLSTATE
-- key is an OpenSSH key (public key line)
SELECT jwt.sign('{"a":1}', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC8WdxHi04Wa2Ut0XSZ+g7I+0RP1TRGGlfAI3l1eCls1 demo@example');
SELECT jwt.sign('{"a":1}', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC8WdxHi04Wa2Ut0XSZ+g7I+0RP1TRGGlfAI3l1eCls1 demo@example');
\echo :LAST_ERROR_SQLSTATE
-- key is an OpenSSH key (private key file)
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), E'-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), E'-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n');
\echo :LAST_ERROR_SQLSTATE
-- key text that starts like a JSON object is read as a JWK even with HS*:
-- a form feed is not JSON white space, so invalid JSON Web Key
SELECT jwt.sign('{"a":1}', E'\f{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}');
SELECT jwt.sign('{"a":1}', E'\f{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}');
\echo :LAST_ERROR_SQLSTATE
-- bytea key with an asymmetric algorithm: binary keys are HMAC secrets only
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '\x0102'::bytea, 'RS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '\x0102'::bytea, 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- JWK oct key: HMAC secret must not be empty
SELECT jwt.sign('{"a":1}', '{"kty":"oct","k":""}', 'HS256');
SELECT jwt.sign('{"a":1}', '{"kty":"oct","k":""}', 'HS256');
\echo :LAST_ERROR_SQLSTATE

-- 4. asymmetric key text (22023) --------------------------------------------
-- key is neither PEM nor a JSON Web Key
SELECT jwt.sign('{"a":1}', 'secret', 'RS256');
SELECT jwt.sign('{"a":1}', 'secret', 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- invalid PEM key: OpenSSL cannot decode it
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), E'-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), E'-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid PEM key: no complete block
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), E'-----BEGIN PUBLIC KEY-----\nMFkw', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), E'-----BEGIN PUBLIC KEY-----\nMFkw', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- unsupported PEM block
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), E'-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n', 'RS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), E'-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n', 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- encrypted private keys are not supported
SELECT jwt.sign('{"a":1}', :'ed_enc', 'EdDSA');
SELECT jwt.sign('{"a":1}', :'ed_enc', 'EdDSA');
\echo :LAST_ERROR_SQLSTATE
-- invalid X.509 certificate
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), E'-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'RS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), E'-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- unsupported key type (X25519)
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'x25519_pub', 'EdDSA');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'x25519_pub', 'EdDSA');
\echo :LAST_ERROR_SQLSTATE
-- unsupported elliptic curve (P-224)
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'p224_pub', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'p224_pub', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- signing needs a private key
SELECT jwt.sign('{"a":1}', :'ec_pub', 'ES256');
SELECT jwt.sign('{"a":1}', :'ec_pub', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: EC key for RS256
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'ec_pub', 'RS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'ec_pub', 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: P-256 key for ES384
SELECT jwt.sign('{"a":1}', :'ec_priv', 'ES384');
SELECT jwt.sign('{"a":1}', :'ec_priv', 'ES384');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: RSA key of 1024 bits
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'rsa1024_pub', 'RS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'rsa1024_pub', 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: EC key for EdDSA
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'ec_pub', 'EdDSA');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), :'ec_pub', 'EdDSA');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: Ed25519 key for Ed448
SELECT jwt.sign('{"a":1}', :'ed_priv', 'Ed448');
SELECT jwt.sign('{"a":1}', :'ed_priv', 'Ed448');
\echo :LAST_ERROR_SQLSTATE

-- 5. JSON Web Keys (22023) --------------------------------------------------
-- invalid JSON Web Key: not JSON
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: a jsonb key that is not an object (array)
SELECT jwt.sign('{"a":1}', '[1]'::jsonb);
SELECT jwt.sign('{"a":1}', '[1]'::jsonb);
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: a jsonb key that is a JSON string
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '"secret"'::jsonb, 'HS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '"secret"'::jsonb, 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: member not a string
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":1}', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":1}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: key_ops not an array of strings
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","key_ops":"verify"}', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","key_ops":"verify"}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: kty missing
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"crv":"P-256"}', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"crv":"P-256"}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: keys not an array
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":{}}', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":{}}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: a member of keys not an object
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[1]}', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[1]}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: empty set
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[]}'::jsonb, 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[]}'::jsonb, 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: oct without k
SELECT jwt.sign('{"a":1}', '{"kty":"oct"}', 'HS256');
SELECT jwt.sign('{"a":1}', '{"kty":"oct"}', 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: k not base64url
SELECT jwt.sign('{"a":1}', '{"kty":"oct","k":"a+b="}', 'HS256');
SELECT jwt.sign('{"a":1}', '{"kty":"oct","k":"a+b="}', 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: RSA without n
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"RSA","e":"AQAB"}', 'RS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"RSA","e":"AQAB"}', 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: EC x/y of the wrong length
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: EC d of the wrong length
SELECT jwt.sign('{"a":1}', '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw","d":"AAAA"}', 'ES256');
SELECT jwt.sign('{"a":1}', '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw","d":"AAAA"}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: EC point not on the curve
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M"}', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M"}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid private key: EC d of another key
SELECT jwt.sign('{"a":1}', '{"kty":"EC","crv":"P-256","x":"EdEKwDf1r5-eOPTD969ITFoKXLJjTq1-TUWl0C9HJbo","y":"UT8v3k0bQngWG3sLUydAtTFMV4ndTANuyzKrOJUEdyQ","d":"z0ziKKPk4JYCW0qzqPZiR1-SXHNH9KJWfQb7iY_FPxc"}', 'ES256');
SELECT jwt.sign('{"a":1}', '{"kty":"EC","crv":"P-256","x":"EdEKwDf1r5-eOPTD969ITFoKXLJjTq1-TUWl0C9HJbo","y":"UT8v3k0bQngWG3sLUydAtTFMV4ndTANuyzKrOJUEdyQ","d":"z0ziKKPk4JYCW0qzqPZiR1-SXHNH9KJWfQb7iY_FPxc"}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- invalid private key: RSA d of another key (no CRT members; the test signature fails)
SELECT jwt.sign('{"a":1}', '{"kty":"RSA","n":"3OHNxThXUOf4VIBOapch1Uvwr9fgUgtgI6Zk_8A9cmmY6BM97BO2yIxhHxnF-MEw029Zh-VcUxP5L0MZTdntBDNWXaBAJq4Vec5s67SBK1JNDjzDavFHC9IMqipFYh8gCEnuww_qkx4TNA1pwfk1vWG_ifhhxlZ1VNfb-wdrydUDaCT2ICamMbanMJdCAYBTw9qVbdXhAwz58EgnL0WDPhOVORBBs7xiMmPVbV6lLcKqCZtodWv7BKx2sHW8FuxJ6XeTiurxR1Mvr7_6pot64fNLPyEuDWu6FKhM995l8wWQIJZoh8rhENxKbGmhWJ38gGD-XWVipkpupnIblJ0zbQ","e":"AQAB","d":"NM19gTAp8Twsvgy9LT6x2_Lb29SWz1wM9UZtL95SXCflNnk3TYk768CqLGGxByQyXYblgtElQvtFjxy_fPDAFA1qC5qYCRPInHS_JagnDEvaQ4oKljPBU0Uo6wuCE6LeOwEqUjti-igI7Ywa34oNnEsfwoyQX8rd_Yon5n8PAWyiF-09BTYO7uCtdhmT9Db1PgPzn8CifqLucWWc_HUis8BzonkPUuDlNbetF1LHwJezASCnCK-vJcli_tPdm1Cdn1awHVONsvfG1gajPPo4RCsu06wYSurXfOFIg6ctJVJ4lll11FLzEzI7xKRdp1ysCwV_zi8rVzHI-I1VgekOqQ"}', 'RS256');
SELECT jwt.sign('{"a":1}', '{"kty":"RSA","n":"3OHNxThXUOf4VIBOapch1Uvwr9fgUgtgI6Zk_8A9cmmY6BM97BO2yIxhHxnF-MEw029Zh-VcUxP5L0MZTdntBDNWXaBAJq4Vec5s67SBK1JNDjzDavFHC9IMqipFYh8gCEnuww_qkx4TNA1pwfk1vWG_ifhhxlZ1VNfb-wdrydUDaCT2ICamMbanMJdCAYBTw9qVbdXhAwz58EgnL0WDPhOVORBBs7xiMmPVbV6lLcKqCZtodWv7BKx2sHW8FuxJ6XeTiurxR1Mvr7_6pot64fNLPyEuDWu6FKhM995l8wWQIJZoh8rhENxKbGmhWJ38gGD-XWVipkpupnIblJ0zbQ","e":"AQAB","d":"NM19gTAp8Twsvgy9LT6x2_Lb29SWz1wM9UZtL95SXCflNnk3TYk768CqLGGxByQyXYblgtElQvtFjxy_fPDAFA1qC5qYCRPInHS_JagnDEvaQ4oKljPBU0Uo6wuCE6LeOwEqUjti-igI7Ywa34oNnEsfwoyQX8rd_Yon5n8PAWyiF-09BTYO7uCtdhmT9Db1PgPzn8CifqLucWWc_HUis8BzonkPUuDlNbetF1LHwJezASCnCK-vJcli_tPdm1Cdn1awHVONsvfG1gajPPo4RCsu06wYSurXfOFIg6ctJVJ4lll11FLzEzI7xKRdp1ysCwV_zi8rVzHI-I1VgekOqQ"}', 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- invalid private key: RSA dp and dq swapped
SELECT jwt.sign('{"a":1}', '{"kty":"RSA","n":"3OHNxThXUOf4VIBOapch1Uvwr9fgUgtgI6Zk_8A9cmmY6BM97BO2yIxhHxnF-MEw029Zh-VcUxP5L0MZTdntBDNWXaBAJq4Vec5s67SBK1JNDjzDavFHC9IMqipFYh8gCEnuww_qkx4TNA1pwfk1vWG_ifhhxlZ1VNfb-wdrydUDaCT2ICamMbanMJdCAYBTw9qVbdXhAwz58EgnL0WDPhOVORBBs7xiMmPVbV6lLcKqCZtodWv7BKx2sHW8FuxJ6XeTiurxR1Mvr7_6pot64fNLPyEuDWu6FKhM995l8wWQIJZoh8rhENxKbGmhWJ38gGD-XWVipkpupnIblJ0zbQ","e":"AQAB","d":"HQ8f8SheZGiARS20I1XKv7MD8T5nZqPUfBwyAWubKeg2k6GkbeCSFYRSarMLVpSkBc0KbFSCdvOTvuIG_DUFd54BaMPibLROYv4DWmce70IenRblZrZjcGyr-d8hzazmm_COFt-LLtuwDxMMrNZKeaXYeyBQTLWnLghQCpCJX74F6JM7DYWnA8AERJ2atfnEiCmKEki3RY_OI2KOA8zEJ0xXVeUSfXX0--DaeCq3RNxfqedvfE6GnGZnIN-lD2vj7m8ZYZQA_kQgY6effbItBGJMWmJ9qapzugTmwnUibNFfZKTYqXJeQn-XyGfgBIW8y70BNiLdep-NUxIBBvn8QQ","p":"77RFOzVd3S1Owl_HrzR4pimGn0Dkse7W2RSfM3cZn1nORvjUweg3Vwcydltzi6UrfihDYEeti-6Dc8NLxHkfvMJOhu3i91bPeZMiGF-0MXMkHFu5Ya93k8YlOFyq46tirQPofrJy8E3I9KFjTRfax6_CgPM-fSpdOfw4EJAIPxk","q":"6-X1mBiqmkzw8v1K31unWAi4A9bBCZmc7d9DAmBhVhVOboxZarK-ZPXuYIY246BatDceoHG8r0CHkCkeJum4vJcgRB3KrRcFUy-tpU-FUTIFfydfuIdH5c2DeRnteF1B98bdJLuKbLpZwUa6yAm4xnACSNOsV2VUl9DnrQt_5XU","dp":"FkuLpK5gIWk4NJ7_3pBZBpb8XVCEuhWMoWbCfI0DZhFpckVNhioSmJQtzW2h7m2PZQz4lg1p2d5tcZCRSvg3_4sA_68ZIrbUSAJvlPopDX1-y3-7KkOO5gdAb8eljAS0YWioKfqXoKMULJI0wQc6MXcQoDVxSmlHT3ntC4vUsKk","dq":"ojkNVYnDcYlVMQTjPjazpDicTDD91VG_g4CKUak75PVBPhTu4CBJO5O6WhGAPDTXH3UeTA2WbQpJWlIEd_5FNVkHDhf2r8_HcA7cV0SFzaWP_cUxy-OVeKPz0pYcbSIzEMaBVSVt1iW-Z5jFfIo1XUkcyGpWkxzVpQWF5-eiPRk","qi":"hG0dqS1_WGDNrFi2wRbUXYIn9nrXjHpsihdLlMo42iHGCN-aIDCOTsL-4tZr4-9UIiqqk6LhC8giXyW_K67TB5HEIXSyfJ5RSjDxECjbPBsd1hmtmBQl1qNSzAZ1z7ZZn7Y0AdxqyhIqMJ-ejlSKd50WiWNOpYzEef2sifXSMv4"}', 'RS256');
SELECT jwt.sign('{"a":1}', '{"kty":"RSA","n":"3OHNxThXUOf4VIBOapch1Uvwr9fgUgtgI6Zk_8A9cmmY6BM97BO2yIxhHxnF-MEw029Zh-VcUxP5L0MZTdntBDNWXaBAJq4Vec5s67SBK1JNDjzDavFHC9IMqipFYh8gCEnuww_qkx4TNA1pwfk1vWG_ifhhxlZ1VNfb-wdrydUDaCT2ICamMbanMJdCAYBTw9qVbdXhAwz58EgnL0WDPhOVORBBs7xiMmPVbV6lLcKqCZtodWv7BKx2sHW8FuxJ6XeTiurxR1Mvr7_6pot64fNLPyEuDWu6FKhM995l8wWQIJZoh8rhENxKbGmhWJ38gGD-XWVipkpupnIblJ0zbQ","e":"AQAB","d":"HQ8f8SheZGiARS20I1XKv7MD8T5nZqPUfBwyAWubKeg2k6GkbeCSFYRSarMLVpSkBc0KbFSCdvOTvuIG_DUFd54BaMPibLROYv4DWmce70IenRblZrZjcGyr-d8hzazmm_COFt-LLtuwDxMMrNZKeaXYeyBQTLWnLghQCpCJX74F6JM7DYWnA8AERJ2atfnEiCmKEki3RY_OI2KOA8zEJ0xXVeUSfXX0--DaeCq3RNxfqedvfE6GnGZnIN-lD2vj7m8ZYZQA_kQgY6effbItBGJMWmJ9qapzugTmwnUibNFfZKTYqXJeQn-XyGfgBIW8y70BNiLdep-NUxIBBvn8QQ","p":"77RFOzVd3S1Owl_HrzR4pimGn0Dkse7W2RSfM3cZn1nORvjUweg3Vwcydltzi6UrfihDYEeti-6Dc8NLxHkfvMJOhu3i91bPeZMiGF-0MXMkHFu5Ya93k8YlOFyq46tirQPofrJy8E3I9KFjTRfax6_CgPM-fSpdOfw4EJAIPxk","q":"6-X1mBiqmkzw8v1K31unWAi4A9bBCZmc7d9DAmBhVhVOboxZarK-ZPXuYIY246BatDceoHG8r0CHkCkeJum4vJcgRB3KrRcFUy-tpU-FUTIFfydfuIdH5c2DeRnteF1B98bdJLuKbLpZwUa6yAm4xnACSNOsV2VUl9DnrQt_5XU","dp":"FkuLpK5gIWk4NJ7_3pBZBpb8XVCEuhWMoWbCfI0DZhFpckVNhioSmJQtzW2h7m2PZQz4lg1p2d5tcZCRSvg3_4sA_68ZIrbUSAJvlPopDX1-y3-7KkOO5gdAb8eljAS0YWioKfqXoKMULJI0wQc6MXcQoDVxSmlHT3ntC4vUsKk","dq":"ojkNVYnDcYlVMQTjPjazpDicTDD91VG_g4CKUak75PVBPhTu4CBJO5O6WhGAPDTXH3UeTA2WbQpJWlIEd_5FNVkHDhf2r8_HcA7cV0SFzaWP_cUxy-OVeKPz0pYcbSIzEMaBVSVt1iW-Z5jFfIo1XUkcyGpWkxzVpQWF5-eiPRk","qi":"hG0dqS1_WGDNrFi2wRbUXYIn9nrXjHpsihdLlMo42iHGCN-aIDCOTsL-4tZr4-9UIiqqk6LhC8giXyW_K67TB5HEIXSyfJ5RSjDxECjbPBsd1hmtmBQl1qNSzAZ1z7ZZn7Y0AdxqyhIqMJ-ejlSKd50WiWNOpYzEef2sifXSMv4"}', 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- invalid private key: RSA CRT members of another key
SELECT jwt.sign('{"a":1}', '{"kty":"RSA","n":"3OHNxThXUOf4VIBOapch1Uvwr9fgUgtgI6Zk_8A9cmmY6BM97BO2yIxhHxnF-MEw029Zh-VcUxP5L0MZTdntBDNWXaBAJq4Vec5s67SBK1JNDjzDavFHC9IMqipFYh8gCEnuww_qkx4TNA1pwfk1vWG_ifhhxlZ1VNfb-wdrydUDaCT2ICamMbanMJdCAYBTw9qVbdXhAwz58EgnL0WDPhOVORBBs7xiMmPVbV6lLcKqCZtodWv7BKx2sHW8FuxJ6XeTiurxR1Mvr7_6pot64fNLPyEuDWu6FKhM995l8wWQIJZoh8rhENxKbGmhWJ38gGD-XWVipkpupnIblJ0zbQ","e":"AQAB","d":"HQ8f8SheZGiARS20I1XKv7MD8T5nZqPUfBwyAWubKeg2k6GkbeCSFYRSarMLVpSkBc0KbFSCdvOTvuIG_DUFd54BaMPibLROYv4DWmce70IenRblZrZjcGyr-d8hzazmm_COFt-LLtuwDxMMrNZKeaXYeyBQTLWnLghQCpCJX74F6JM7DYWnA8AERJ2atfnEiCmKEki3RY_OI2KOA8zEJ0xXVeUSfXX0--DaeCq3RNxfqedvfE6GnGZnIN-lD2vj7m8ZYZQA_kQgY6effbItBGJMWmJ9qapzugTmwnUibNFfZKTYqXJeQn-XyGfgBIW8y70BNiLdep-NUxIBBvn8QQ","p":"78o6MvR2gb3j6rRVfe6FaJVUsb5Vy3a7kxTuDvtXUaC5O6Nrh6bAJ8oQZvJyUP8C_7lIDsevTys3BkrETVmEMW4BuI8xwOo1c3ks5UQLx_gxJ6dQpON0Xzg2uwkh_i1fAZ-PRQF-YWax857x0uBJ-q7t1du_aw7fpiBODnz994c","q":"y0tRl8LJFxhySi5-tWBnDyPfdCTPtJorcSWY1GOAXTYWgq-4ZcwQRLst4MDnmSRsBrjEtPauR0QcbNBqXZP9vlT87mKSpztboRtFokh-5KBXNXk5__ABMNzWuwq7oDQKTjRnXVWBMiLCj7vFy8TdU7d3vAQSlPg66nJMvey9I00","dp":"203WwHd4Utx6sFNRxST6elXo6c6r5LOohbIkrysMBym5f2PMmnnVUA6rxZuDFbTE52BrGKlkGkHpxyVmN1_hWNvFUygTVt5dGEkA2IXNSIwjWKLbTJKCAfwFgjWuEysnsvJdM71T-nzTz33UqQpcXprSBj896AnoXaU5_mIuW80","dq":"ImUL2PFLtGyeaY6UQXud9CHNnIjd22B6GRqTUNvEzABqrpGsUQzFc9t3V59Lj81puXlpTnSt58DOTlq0pEB1nc4jPPHQfhq81fUXQu2hCm1WU-W-ul6Q1QOIEP0v4Vrso26aTmA5C5J1-Ht8a41TJObViynlOu8EiMXt1fRHy8E","qi":"DEXAgnUp_8smZbopKLCcWb8qccUjXRCXN-5QpvyLEwzt4w0VgblX96gpu-vSxJd2ICop5Xb89LBpnWOucP4B-xxx0YoTr5-QEKlHslPCE8Il_rz15exeRlfRp_RYGPkfRmIrj7q6FXdkfL0ZUKEAEtijx6a7u7kRadDmTnqu0UI"}', 'RS256');
SELECT jwt.sign('{"a":1}', '{"kty":"RSA","n":"3OHNxThXUOf4VIBOapch1Uvwr9fgUgtgI6Zk_8A9cmmY6BM97BO2yIxhHxnF-MEw029Zh-VcUxP5L0MZTdntBDNWXaBAJq4Vec5s67SBK1JNDjzDavFHC9IMqipFYh8gCEnuww_qkx4TNA1pwfk1vWG_ifhhxlZ1VNfb-wdrydUDaCT2ICamMbanMJdCAYBTw9qVbdXhAwz58EgnL0WDPhOVORBBs7xiMmPVbV6lLcKqCZtodWv7BKx2sHW8FuxJ6XeTiurxR1Mvr7_6pot64fNLPyEuDWu6FKhM995l8wWQIJZoh8rhENxKbGmhWJ38gGD-XWVipkpupnIblJ0zbQ","e":"AQAB","d":"HQ8f8SheZGiARS20I1XKv7MD8T5nZqPUfBwyAWubKeg2k6GkbeCSFYRSarMLVpSkBc0KbFSCdvOTvuIG_DUFd54BaMPibLROYv4DWmce70IenRblZrZjcGyr-d8hzazmm_COFt-LLtuwDxMMrNZKeaXYeyBQTLWnLghQCpCJX74F6JM7DYWnA8AERJ2atfnEiCmKEki3RY_OI2KOA8zEJ0xXVeUSfXX0--DaeCq3RNxfqedvfE6GnGZnIN-lD2vj7m8ZYZQA_kQgY6effbItBGJMWmJ9qapzugTmwnUibNFfZKTYqXJeQn-XyGfgBIW8y70BNiLdep-NUxIBBvn8QQ","p":"78o6MvR2gb3j6rRVfe6FaJVUsb5Vy3a7kxTuDvtXUaC5O6Nrh6bAJ8oQZvJyUP8C_7lIDsevTys3BkrETVmEMW4BuI8xwOo1c3ks5UQLx_gxJ6dQpON0Xzg2uwkh_i1fAZ-PRQF-YWax857x0uBJ-q7t1du_aw7fpiBODnz994c","q":"y0tRl8LJFxhySi5-tWBnDyPfdCTPtJorcSWY1GOAXTYWgq-4ZcwQRLst4MDnmSRsBrjEtPauR0QcbNBqXZP9vlT87mKSpztboRtFokh-5KBXNXk5__ABMNzWuwq7oDQKTjRnXVWBMiLCj7vFy8TdU7d3vAQSlPg66nJMvey9I00","dp":"203WwHd4Utx6sFNRxST6elXo6c6r5LOohbIkrysMBym5f2PMmnnVUA6rxZuDFbTE52BrGKlkGkHpxyVmN1_hWNvFUygTVt5dGEkA2IXNSIwjWKLbTJKCAfwFgjWuEysnsvJdM71T-nzTz33UqQpcXprSBj896AnoXaU5_mIuW80","dq":"ImUL2PFLtGyeaY6UQXud9CHNnIjd22B6GRqTUNvEzABqrpGsUQzFc9t3V59Lj81puXlpTnSt58DOTlq0pEB1nc4jPPHQfhq81fUXQu2hCm1WU-W-ul6Q1QOIEP0v4Vrso26aTmA5C5J1-Ht8a41TJObViynlOu8EiMXt1fRHy8E","qi":"DEXAgnUp_8smZbopKLCcWb8qccUjXRCXN-5QpvyLEwzt4w0VgblX96gpu-vSxJd2ICop5Xb89LBpnWOucP4B-xxx0YoTr5-QEKlHslPCE8Il_rz15exeRlfRp_RYGPkfRmIrj7q6FXdkfL0ZUKEAEtijx6a7u7kRadDmTnqu0UI"}', 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: OKP x of the wrong length
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"OKP","crv":"Ed25519","x":"AAAA"}', 'EdDSA');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"OKP","crv":"Ed25519","x":"AAAA"}', 'EdDSA');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON Web Key: OKP d of the wrong length
SELECT jwt.sign('{"a":1}', '{"kty":"OKP","crv":"Ed25519","x":"j9wtROX6DS86L-dQFWxmqv6E7Rikhe4dS-_e6qG_e1s","d":"AAAA"}', 'EdDSA');
SELECT jwt.sign('{"a":1}', '{"kty":"OKP","crv":"Ed25519","x":"j9wtROX6DS86L-dQFWxmqv6E7Rikhe4dS-_e6qG_e1s","d":"AAAA"}', 'EdDSA');
\echo :LAST_ERROR_SQLSTATE
-- invalid private key: OKP d of another key
SELECT jwt.sign('{"a":1}', '{"kty":"OKP","crv":"Ed25519","x":"j9wtROX6DS86L-dQFWxmqv6E7Rikhe4dS-_e6qG_e1s","d":"zH2F62-755Th16013wbZQYgvSchHEQc5tQTQP7rUQ2c"}', 'EdDSA');
SELECT jwt.sign('{"a":1}', '{"kty":"OKP","crv":"Ed25519","x":"j9wtROX6DS86L-dQFWxmqv6E7Rikhe4dS-_e6qG_e1s","d":"zH2F62-755Th16013wbZQYgvSchHEQc5tQTQP7rUQ2c"}', 'EdDSA');
\echo :LAST_ERROR_SQLSTATE
-- unsupported curve for kty EC
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","crv":"P-999","x":"AA","y":"AA"}', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","crv":"P-999","x":"AA","y":"AA"}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- unsupported curve for kty OKP
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"OKP","crv":"P-256","x":"AA"}', 'EdDSA');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"OKP","crv":"P-256","x":"AA"}', 'EdDSA');
\echo :LAST_ERROR_SQLSTATE
-- unsupported key type
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"foo"}', 'ES256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"foo"}', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: RSA exponent even
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"RSA","n":"xKkbu6jTeFOXKl7yrdxtF7EJjCpm0yDAM2biLS2HP19NriqX8fGoqlrR69-8SCWKH6PLpKbg1cM3qBMND0lTorBjvn9gQXP6jiPavg5DTPOJhfK2-kJi0A9eFuP2M2YLhn6KO2KLouply03wbsFW6fNjquKnVJYpfjzed3-62114U53ntMYdW1YeMGLWPbv37so4sDeXKo9jPQ7pSkuC2XZhp1q6RMGp3DixbKL-hbOk-GzmQiC1sQ0rkvpcCh3E8j17vkuNqT73VmmSjnlRaziERo57tL6590nxM9OCYTicIyMl9pRykkZFYcoYwaQW6M7LnVJsb4QUfCnf2qtxeQ","e":"Ag"}', 'RS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"RSA","n":"xKkbu6jTeFOXKl7yrdxtF7EJjCpm0yDAM2biLS2HP19NriqX8fGoqlrR69-8SCWKH6PLpKbg1cM3qBMND0lTorBjvn9gQXP6jiPavg5DTPOJhfK2-kJi0A9eFuP2M2YLhn6KO2KLouply03wbsFW6fNjquKnVJYpfjzed3-62114U53ntMYdW1YeMGLWPbv37so4sDeXKo9jPQ7pSkuC2XZhp1q6RMGp3DixbKL-hbOk-GzmQiC1sQ0rkvpcCh3E8j17vkuNqT73VmmSjnlRaziERo57tL6590nxM9OCYTicIyMl9pRykkZFYcoYwaQW6M7LnVJsb4QUfCnf2qtxeQ","e":"Ag"}', 'RS256');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: the JWK names another alg
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","alg":"HS512"}', 'HS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","alg":"HS512"}', 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: use enc
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","use":"enc"}', 'HS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","use":"enc"}', 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: key_ops without sign
SELECT jwt.sign('{"a":1}', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","key_ops":["verify"]}', 'HS256');
SELECT jwt.sign('{"a":1}', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","key_ops":["verify"]}', 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: oct JWK shorter than the hash
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"oct","k":"c2VjcmV0"}'::jsonb, 'HS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"oct","k":"c2VjcmV0"}'::jsonb, 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- key does not fit algorithm: EC JWK for HS256
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}', 'HS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}', 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- JWK set has duplicate kid
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"a"},{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"a"}]}', 'HS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"a"},{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"a"}]}', 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- no key in the JWK set fits algorithm
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}]}', 'HS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"keys":[{"kty":"EC","crv":"P-256","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}]}', 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- a JWK set cannot sign
SELECT jwt.sign('{"a":1}', '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}', 'HS256');
SELECT jwt.sign('{"a":1}', '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}', 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- JWK set has too many keys (54000)
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), (SELECT jsonb_build_object('keys', jsonb_agg(jsonb_build_object('kty', 'oct', 'kid', 'k' || g, 'k', 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I'))) FROM generate_series(1, 65) AS g));
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), (SELECT jsonb_build_object('keys', jsonb_agg(jsonb_build_object('kty', 'oct', 'kid', 'k' || g, 'k', 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I'))) FROM generate_series(1, 65) AS g));
\echo :LAST_ERROR_SQLSTATE
-- key is too large (54000): a secret of 1 MiB and a byte
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), repeat('s', 1048577));
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), repeat('s', 1048577));
\echo :LAST_ERROR_SQLSTATE
-- RSA public exponent is too large (2^32 + 1)
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAAAAE"}', 'RS256');
SELECT jwt.verify(jwt.sign('{"a":1}', 'secret'), '{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAAAAE"}', 'RS256');
\echo :LAST_ERROR_SQLSTATE

-- 6. sign: payload and header (22P02, 22023) --------------------------------
-- invalid JSON in token payload: syntax
SELECT jwt.sign('{"a":', 'secret');
SELECT jwt.sign('{"a":', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON in token payload: U+0000
SELECT jwt.sign('{"a":"\u0000"}'::json, 'secret');
SELECT jwt.sign('{"a":"\u0000"}'::json, 'secret');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON in token payload: too deep
SELECT jwt.sign('{"a":' || repeat('[', 64) || repeat(']', 64) || '}', 'secret');
SELECT jwt.sign('{"a":' || repeat('[', 64) || repeat(']', 64) || '}', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- duplicate member name in token payload
SELECT jwt.sign('{"a":1,"a":2}', 'secret');
SELECT jwt.sign('{"a":1,"a":2}', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- token payload is not a JSON object
SELECT jwt.sign('[1]'::jsonb, 'secret');
SELECT jwt.sign('[1]'::jsonb, 'secret');
\echo :LAST_ERROR_SQLSTATE
-- payload of type ... cannot be signed
SELECT jwt.sign(42, 'secret');
SELECT jwt.sign(42, 'secret');
\echo :LAST_ERROR_SQLSTATE
-- claim cannot be infinite (timestamptz)
SELECT jwt.sign(r, 'secret') FROM (SELECT timestamptz 'infinity' AS exp) AS r;
SELECT jwt.sign(r, 'secret') FROM (SELECT timestamptz 'infinity' AS exp) AS r;
\echo :LAST_ERROR_SQLSTATE
-- claim cannot be infinite (date)
SELECT jwt.sign(r, 'secret') FROM (SELECT date '-infinity' AS iat) AS r;
SELECT jwt.sign(r, 'secret') FROM (SELECT date '-infinity' AS iat) AS r;
\echo :LAST_ERROR_SQLSTATE
-- header argument must be a JSON object
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '[1]');
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '[1]');
\echo :LAST_ERROR_SQLSTATE
-- header argument conflicts with the algorithm
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '{"alg":"none"}');
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '{"alg":"none"}');
\echo :LAST_ERROR_SQLSTATE
-- header member is not supported (crit)
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '{"crit":["x"]}');
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '{"crit":["x"]}');
\echo :LAST_ERROR_SQLSTATE
-- header member is not supported (b64)
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '{"b64":false}');
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '{"b64":false}');
\echo :LAST_ERROR_SQLSTATE
-- header member is not supported (enc)
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '{"enc":"A128GCM"}');
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '{"enc":"A128GCM"}');
\echo :LAST_ERROR_SQLSTATE
-- header member must be a string (typ)
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '{"typ":1}');
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', '{"typ":1}');
\echo :LAST_ERROR_SQLSTATE
-- header argument is nested too deeply
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', ('{"x":' || repeat('[', 64) || repeat(']', 64) || '}')::jsonb);
SELECT jwt.sign('{"a":1}', 'secret', 'HS256', ('{"x":' || repeat('[', 64) || repeat(']', 64) || '}')::jsonb);
\echo :LAST_ERROR_SQLSTATE
-- token would be too long
SELECT jwt.sign('{"a":"' || repeat('x', 49100) || '"}', 'secret');
SELECT jwt.sign('{"a":"' || repeat('x', 49100) || '"}', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- token would be too long: a payload refused by its size, before any work
SELECT jwt.sign('{"a":"' || repeat('x', 140000) || '"}', 'secret');
SELECT jwt.sign('{"a":"' || repeat('x', 140000) || '"}', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- duplicate member name in payload: a row with five exp columns
SELECT jwt.sign(s, 'secret') FROM (SELECT now() AS exp, now() AS exp, now() AS exp, now() AS exp, now() AS exp) s;
SELECT jwt.sign(s, 'secret') FROM (SELECT now() AS exp, now() AS exp, now() AS exp, now() AS exp, now() AS exp) s;
\echo :LAST_ERROR_SQLSTATE

-- 7. malformed tokens (22P02), through verify, decode and header ------------
-- token is too long
SELECT jwt.verify(repeat('A', 65537), 'secret');
SELECT jwt.verify(repeat('A', 65537), 'secret');
\echo :LAST_ERROR_SQLSTATE
-- token is a JWE, not a JWS
SELECT jwt.decode('a.b.c.d.e');
SELECT jwt.decode('a.b.c.d.e');
\echo :LAST_ERROR_SQLSTATE
-- token is a JWE, not a JWS (enc in a three-part token)
SELECT jwt.verify('eyJhbGciOiJIUzI1NiIsImVuYyI6IkExMjhHQ00ifQ.e30.', 'secret');
SELECT jwt.verify('eyJhbGciOiJIUzI1NiIsImVuYyI6IkExMjhHQ00ifQ.e30.', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- invalid token: parts
SELECT jwt.header('a.b');
SELECT jwt.header('a.b');
\echo :LAST_ERROR_SQLSTATE
-- invalid token: empty header
SELECT jwt.verify('.e30.', 'secret');
SELECT jwt.verify('.e30.', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- invalid base64url in token header
SELECT jwt.header('e30=.e30.');
SELECT jwt.header('e30=.e30.');
\echo :LAST_ERROR_SQLSTATE
-- invalid base64url in token payload
SELECT jwt.decode('eyJhbGciOiJIUzI1NiJ9.e30=.');
SELECT jwt.decode('eyJhbGciOiJIUzI1NiJ9.e30=.');
\echo :LAST_ERROR_SQLSTATE
-- invalid base64url in token signature
SELECT jwt.verify('eyJhbGciOiJIUzI1NiJ9.e30.a+b', 'secret');
SELECT jwt.verify('eyJhbGciOiJIUzI1NiJ9.e30.a+b', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON in token header
SELECT jwt.verify('eyJhbGciOg.e30.', 'secret');
SELECT jwt.verify('eyJhbGciOg.e30.', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON in token header: U+0000
SELECT jwt.header('eyJhbGciOiJIUzI1NiIsImtpZCI6Ilx1MDAwMCJ9.e30.');
SELECT jwt.header('eyJhbGciOiJIUzI1NiIsImtpZCI6Ilx1MDAwMCJ9.e30.');
\echo :LAST_ERROR_SQLSTATE
-- duplicate member name in token header
SELECT jwt.decode('eyJhbGciOiJIUzI1NiIsImFsZyI6IkhTMjU2In0.e30.');
SELECT jwt.decode('eyJhbGciOiJIUzI1NiIsImFsZyI6IkhTMjU2In0.e30.');
\echo :LAST_ERROR_SQLSTATE
-- token header is not a JSON object
SELECT jwt.verify('WyJIUzI1NiJd.e30.', 'secret');
SELECT jwt.verify('WyJIUzI1NiJd.e30.', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- token header has no alg member
SELECT jwt.header('eyJ0eXAiOiJKV1QifQ.e30.');
SELECT jwt.header('eyJ0eXAiOiJKV1QifQ.e30.');
\echo :LAST_ERROR_SQLSTATE
-- token header member alg is not a string
SELECT jwt.verify('eyJhbGciOjF9.e30.', 'secret');
SELECT jwt.verify('eyJhbGciOjF9.e30.', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- token header member typ is not a string
SELECT jwt.decode('eyJhbGciOiJIUzI1NiIsInR5cCI6MX0.e30.');
SELECT jwt.decode('eyJhbGciOiJIUzI1NiIsInR5cCI6MX0.e30.');
\echo :LAST_ERROR_SQLSTATE
-- token header member kid is not a string
SELECT jwt.header('eyJhbGciOiJIUzI1NiIsImtpZCI6e319.e30.');
SELECT jwt.header('eyJhbGciOiJIUzI1NiIsImtpZCI6e319.e30.');
\echo :LAST_ERROR_SQLSTATE
-- token header member crit is not an array
SELECT jwt.verify('eyJhbGciOiJIUzI1NiIsImNyaXQiOiJiNjQifQ.e30.', 'secret');
SELECT jwt.verify('eyJhbGciOiJIUzI1NiIsImNyaXQiOiJiNjQifQ.e30.', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- token header member crit holds a non-string
SELECT jwt.verify('eyJhbGciOiJIUzI1NiIsImNyaXQiOltudWxsXX0.e30.', 'secret');
SELECT jwt.verify('eyJhbGciOiJIUzI1NiIsImNyaXQiOltudWxsXX0.e30.', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- token header member b64 is not a boolean
SELECT jwt.decode('eyJhbGciOiJIUzI1NiIsImI2NCI6MH0.e30.');
SELECT jwt.decode('eyJhbGciOiJIUzI1NiIsImI2NCI6MH0.e30.');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON in token payload (verify)
SELECT jwt.verify('eyJhbGciOiJIUzI1NiJ9.eyJhIg.', 'secret');
SELECT jwt.verify('eyJhbGciOiJIUzI1NiJ9.eyJhIg.', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- invalid JSON in token payload: too deep (decode)
SELECT jwt.decode('eyJhbGciOiJIUzI1NiJ9.eyJhIjpbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXX0.');
SELECT jwt.decode('eyJhbGciOiJIUzI1NiJ9.eyJhIjpbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXX0.');
\echo :LAST_ERROR_SQLSTATE
-- duplicate member name in token payload (verify, jsonb key)
SELECT jwt.verify('eyJhbGciOiJIUzI1NiJ9.eyJhIjoxLCJhIjoxfQ.', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'::jsonb, 'HS256');
SELECT jwt.verify('eyJhbGciOiJIUzI1NiJ9.eyJhIjoxLCJhIjoxfQ.', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'::jsonb, 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- token payload is not a JSON object (decode)
SELECT jwt.decode('eyJhbGciOiJIUzI1NiJ9.W10.');
SELECT jwt.decode('eyJhbGciOiJIUzI1NiJ9.W10.');
\echo :LAST_ERROR_SQLSTATE

-- 7b. strict validation and the keyring (22023, 28000, 22P02) ---------------
-- validate: leeway must be between 0 and 5 minutes
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', leeway => '6 min');
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', leeway => '6 min');
\echo :LAST_ERROR_SQLSTATE
-- validate: max_age must not be negative
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', max_age => '-1 s');
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr', max_age => '-1 s');
\echo :LAST_ERROR_SQLSTATE
-- validate: HMAC secret is too short
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret'), 'secret');
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret'), 'secret');
\echo :LAST_ERROR_SQLSTATE
-- validate: key and secret cannot both be given
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret'), 'secret', secret => 'secret'::bytea);
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret'), 'secret', secret => 'secret'::bytea);
\echo :LAST_ERROR_SQLSTATE
-- validate: array arguments must not contain NULL
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret'), 'secret', algorithms => ARRAY[NULL]);
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret'), 'secret', algorithms => ARRAY[NULL]);
\echo :LAST_ERROR_SQLSTATE
-- validate: unsupported algorithm in the allow-list
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret'), 'secret', algorithms => ARRAY['none']);
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret'), 'secret', algorithms => ARRAY['none']);
\echo :LAST_ERROR_SQLSTATE
-- validate: token algorithm is not allowed
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr-secret-secret-secret-secr', 'HS384'), 'secret-secret-secret-secret-secr-secret-secret-secret-secr');
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret-secret-secret-secret-secr-secret-secret-secret-secr', 'HS384'), 'secret-secret-secret-secret-secr-secret-secret-secret-secr');
\echo :LAST_ERROR_SQLSTATE
-- validate: invalid token signature
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret-secret-secret-secret-secrX'), 'secret-secret-secret-secret-secr');
SELECT jwt.validate(jwt.sign('{"a":1}', 'secret-secret-secret-secret-secrX'), 'secret-secret-secret-secret-secr');
\echo :LAST_ERROR_SQLSTATE
-- validate: token has expired
SELECT jwt.validate(jwt.sign('{"exp":1}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr');
SELECT jwt.validate(jwt.sign('{"exp":1}', 'secret-secret-secret-secret-secr'), 'secret-secret-secret-secret-secr');
\echo :LAST_ERROR_SQLSTATE
-- validate: malformed token
SELECT jwt.validate('e30.e30', 'secret-secret-secret-secret-secr');
SELECT jwt.validate('e30.e30', 'secret-secret-secret-secret-secr');
\echo :LAST_ERROR_SQLSTATE
-- is_valid: a caller fault still raises
SELECT jwt.is_valid('e30.e30', 'secret');
SELECT jwt.is_valid('e30.e30', 'secret');
\echo :LAST_ERROR_SQLSTATE
-- thumbprint: a thumbprint is of one JWK, not of a JWK set
SELECT jwt.thumbprint('{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}');
SELECT jwt.thumbprint('{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}');
\echo :LAST_ERROR_SQLSTATE
-- _import_key_entry (1.1.0's add_key helper): takes one key, not a JWK set
SELECT jwt._import_key_entry('{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}', 'EdDSA', NULL);
SELECT jwt._import_key_entry('{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}', 'EdDSA', NULL);
\echo :LAST_ERROR_SQLSTATE
-- add_key of a JWK set: kid cannot be given for a JWK set
SELECT jwt.add_key('{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}', 'EdDSA', 'k');
SELECT jwt.add_key('{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}', 'EdDSA', 'k');
\echo :LAST_ERROR_SQLSTATE
-- add_key of a JWK set: JWK set has two keys for kid (an EC and an OKP key sharing one)
SELECT jwt.add_key('{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},{"kty":"EC","crv":"P-256","kid":"k","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}]}', NULL);
SELECT jwt.add_key('{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},{"kty":"EC","crv":"P-256","kid":"k","x":"vxGRUxhVxfEli0ckeTSS3uAAZGIcLaw2gQzJW13Q-6M","y":"IF2DEMihs5ue8zJ_OSvRQRpsoDAwmh5RFWFIQzUpZHw"}]}', NULL);
\echo :LAST_ERROR_SQLSTATE
-- add_key of a JWK set: no usable key in the JWK set
SELECT jwt.add_key('{"keys":[{"kty":"OKP","crv":"X25519","x":"AA"}]}', NULL);
SELECT jwt.add_key('{"keys":[{"kty":"OKP","crv":"X25519","x":"AA"}]}', NULL);
\echo :LAST_ERROR_SQLSTATE
-- add_key: key is neither PEM nor a JSON Web Key
SELECT jwt.add_key('secret', 'EdDSA');
SELECT jwt.add_key('secret', 'EdDSA');
\echo :LAST_ERROR_SQLSTATE
-- generate_key: unsupported RSA key size
SELECT jwt.generate_key('RS256', rsa_bits => 1024);
SELECT jwt.generate_key('RS256', rsa_bits => 1024);
\echo :LAST_ERROR_SQLSTATE
-- issue: no active signing key with that kid
SELECT jwt.issue('{}', kid => 'no-such-kid');
SELECT jwt.issue('{}', kid => 'no-such-kid');
\echo :LAST_ERROR_SQLSTATE
-- issue: ttl must be positive
SELECT jwt.issue('{}', '0 s');
SELECT jwt.issue('{}', '0 s');
\echo :LAST_ERROR_SQLSTATE

-- 8. token faults that are not errors: valid = false, twice -----------------
-- A kid that no key of the set has, and a kid naming a key that does not
-- fit: the verdict is false, not an error.
SELECT valid FROM jwt.verify(jwt.sign('{"a":1}', 'x', 'HS256', '{"kid":"zz"}'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"a"},{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"b","alg":"HS512"}]}', 'HS256');
SELECT valid FROM jwt.verify(jwt.sign('{"a":1}', 'x', 'HS256', '{"kid":"b"}'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"a"},{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"b","alg":"HS512"}]}', 'HS256');
SELECT valid FROM jwt.verify(jwt.sign('{"exp":1}', 'secret'), 'secret');
SELECT valid FROM jwt.verify(jwt.sign('{"a":1}', 'x', 'HS256', '{"kid":"zz"}'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"a"},{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"b","alg":"HS512"}]}', 'HS256');
SELECT valid FROM jwt.verify(jwt.sign('{"a":1}', 'x', 'HS256', '{"kid":"b"}'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"a"},{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"b","alg":"HS512"}]}', 'HS256');
SELECT valid FROM jwt.verify(jwt.sign('{"exp":1}', 'secret'), 'secret');

-- 9. errors inside a transaction, rolled back to savepoints -----------------
BEGIN;
SAVEPOINT s;
SELECT jwt.verify('x', 'secret');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
SELECT jwt.sign('{"a":1}', :'ec_pub', 'ES256');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
SELECT (jwt.verify(jwt.sign('{"in":"transaction"}', 'secret'), 'secret')).valid AS valid_after_savepoints;
COMMIT;
-- and inside PL/pgSQL exception blocks (subtransactions), many times over.
DO $$
DECLARE
    failures int := 0;
BEGIN
    FOR i IN 1..200 LOOP
        BEGIN
            PERFORM jwt.verify('e30.e30.', 'secret', CASE i % 3 WHEN 0 THEN 'none' ELSE 'HS256' END);
        EXCEPTION WHEN invalid_text_representation OR invalid_parameter_value THEN
            failures := failures + 1;
        END;
    END LOOP;
    RAISE NOTICE '% of 200 calls failed as expected', failures;
END
$$;

-- 10. the backend is alive and its caches are consistent --------------------
-- Ordinary queries, then sign and verify with every key the errors above
-- touched: a failed key never leaves a cache entry behind.
SELECT 1 AS alive;
SELECT count(*) > 0 AS catalog_readable FROM pg_class;
SELECT jwt.sign('{"ok":true}', 'secret');
SELECT * FROM jwt.verify(jwt.sign('{"ok":true}', 'secret'), 'secret');
SELECT * FROM jwt.verify('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9.TJVA95OrM7E2cBab30RMHrHDcEfxjoYZgeFONFh7HgQ', 'secret');
SELECT (jwt.verify(jwt.sign('{"ok":true}', 'secret', 'HS384'), 'secret', 'HS384')).valid AS hs384,
       (jwt.verify(jwt.sign('{"ok":true}', '\x00ff'::bytea, 'HS512'), '\x00ff'::bytea, 'HS512')).valid AS hs512_bytea;
-- The EC public key that could not sign verifies; its private key signs ES256.
SELECT (jwt.verify(jwt.sign('{"ok":true}', :'ec_priv', 'ES256'), :'ec_pub', 'ES256')).valid AS es256;
SELECT (jwt.verify(jwt.sign('{"ok":true}', :'ed_priv', 'EdDSA'), :'ed_priv', 'EdDSA')).valid AS eddsa;
-- oct JWKs of the right size and alg sign and verify; so does a set.
SELECT (jwt.verify(jwt.sign('{"ok":true}', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","alg":"HS256"}', 'HS256'), '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","alg":"HS256"}', 'HS256')).valid AS oct_jwk;
SELECT (jwt.verify(jwt.sign('{"ok":true}', '{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}'::jsonb, 'HS256'), '{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I","kid":"a"}]}', 'HS256')).valid AS oct_set;
SELECT jwt.url_decode('YQ') AS url, jwt.header(jwt.sign('{}', 'secret')) AS header, (jwt.decode(jwt.sign('{"ok":true}', 'secret'))).payload;
-- Many rows in one statement after all of the above.
SELECT count(*) FILTER (WHERE (jwt.verify(jwt.sign(json_build_object('i', i), 'secret'), 'secret')).valid) AS valid_tokens FROM generate_series(1, 1000) AS i;
