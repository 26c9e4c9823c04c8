// Interop of pg_jwt's tokens with the npm packages `jose` and `jsonwebtoken`,
// both directions: HS256/384/512 with both; RS256/384/512, PS256/384/512 and
// ES256/384/512 with both; EdDSA and Ed25519 (Ed25519 keys) with jose; JWK
// sets and private JWKs made by jose. Asymmetric keys are the fixed ones in
// test/keys. PostgreSQL is reached through psql (libpq environment: PGHOST,
// PGPORT, PGUSER, PGPASSWORD, PGDATABASE); every token, key and payload
// travels as a psql variable quoted with :'name', never spliced into SQL text.
// Prints one line per failed check and ends with exactly one line "N passed,
// N failed"; exits non-zero when a check failed. Pass -v to print every check.

import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import * as jose from 'jose';
import jsonwebtoken from 'jsonwebtoken';

const ALGS = ['HS256', 'HS384', 'HS512'];
const SECRET = 'pg_jwt interop secret: 0123456789abcdef0123456789abcdef0123456789abcdef';
const OTHER_SECRET = 'pg_jwt interop secret: a different one, 0123456789abcdef0123456789';
// Non-ASCII text secret: both sides must use its UTF-8 bytes.
const UNICODE_SECRET = 'clé secrète ünïcödé 🔑 0123456789abcdef0123456789abcdef';
// Binary secret with NUL, high bytes and invalid UTF-8 sequences.
const BINARY_SECRET = Buffer.concat([
  Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0a, 0x27, 0x5c]),
  Buffer.from(Array.from({ length: 21 }, (_, i) => 1 + 3 * i)),
]);
const NOW = Math.floor(Date.now() / 1000);
const enc = new TextEncoder();

const PAYLOADS = {
  simple: { sub: '1234567890', name: 'John Doe', admin: true },
  unicode: { name: 'Zoë Ñandú', greeting: 'こんにちは 世界', emoji: '😀🎉', quote: 'a"b\\c\n\t/' },
  nested: { a: { b: [1, 2, { c: null, d: [[], {}] }] }, roles: ['x', 'y'], e: {} },
  numbers: { int: 42, neg: -7, float: 3.25, big: 9007199254740991, zero: 0, small: 1.5e-7 },
  'exp-future': { sub: 'user-1', iat: NOW, nbf: NOW - 60, exp: NOW + 3600 },
};

const VERBOSE = process.argv.slice(2).includes('-v');
let passed = 0;
let failed = 0;

// A test case has two halves around one SQL statement: prepare() returns
// {sql, vars, ctx} (signing with the library where needed) and
// finish(output, ctx) returns a falsy value on success or a message. All
// statements run in as few psql calls as possible (one psql start costs more
// than all the checks together); a throw in either half, or an SQL error,
// fails that case only.
const cases = [];
function defCase(name, prepare, finish) {
  cases.push({ name, prepare, finish });
}

function report(name, problem) {
  if (problem) {
    failed += 1;
    console.log(`FAIL ${name}: ${problem}`);
  } else {
    passed += 1;
    if (VERBOSE) console.log(`ok   ${name}`);
  }
}

function describe(err) {
  return `${err?.name ?? 'Error'}: ${err?.message ?? err}`;
}

function expectEqual(what, got, want) {
  return isDeepStrictEqual(got, want)
    ? null
    : `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
}

function psqlEnv() {
  const env = { ...process.env, PGCLIENTENCODING: 'UTF8' };
  if (!env.PGDATABASE) env.PGDATABASE = 'postgres';
  return env;
}

function psql(args, input) {
  return execFileSync('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', ...args], {
    input, env: psqlEnv(), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20,
  });
}

// Runs statements [{sql, vars}] and returns one {out} or {error} each. Each
// statement's variables are passed as -v q<i>_<name> and referenced as
// :'q<i>_<name>' (psql quotes them as literals); a marker line precedes each
// statement's output. With ON_ERROR_STOP psql stops at the first error: that
// statement gets the error and the rest run again in a new call.
function runStatements(stmts) {
  const results = new Array(stmts.length);
  let start = 0;
  while (start < stmts.length) {
    const args = [];
    let script = '';
    for (let i = start; i < stmts.length; i++) {
      for (const [name, value] of Object.entries(stmts[i].vars)) args.push('-v', `q${i}_${name}=${value}`);
      script += `\\echo @@${i}\n${stmts[i].sql.replace(/:'(\w+)'/g, `:'q${i}_$1'`)}\n`;
    }
    let stdout;
    let error = null;
    try {
      stdout = psql(args, script);
    } catch (err) {
      stdout = err.stdout ?? '';
      error = String(err.stderr || err.message).trim();
    }
    let current = -1;
    for (const line of stdout.split('\n')) {
      const m = /^@@(\d+)$/.exec(line);
      if (m) {
        current = Number(m[1]);
        results[current] = { out: '' };
      } else if (current >= 0 && line !== '') {
        results[current].out += (results[current].out ? '\n' : '') + line;
      }
    }
    if (!error) break;
    if (current < start) {  // not even the first statement ran: give up
      for (let i = start; i < stmts.length; i++) results[i] = { error };
      break;
    }
    results[current] = { error };
    start = current + 1;
  }
  return results;
}

async function runCases() {
  const pending = [];
  for (const c of cases) {
    try {
      pending.push({ c, ...(await c.prepare()) });
    } catch (err) {
      report(c.name, `prepare: ${describe(err)}`);
    }
  }
  const results = runStatements(pending);
  for (const [i, p] of pending.entries()) {
    let problem;
    if (results[i].error !== undefined) {
      problem = `SQL error: ${results[i].error}`;
    } else {
      try {
        problem = await p.c.finish(results[i].out, p.ctx);
      } catch (err) {
        problem = describe(err);
      }
    }
    report(p.c.name, problem);
  }
}

// A secret travels as text (text overload) or as hex decoded to bytea.
function keyVars(key) {
  return typeof key === 'string' ? { key } : { key_hex: Buffer.from(key).toString('hex') };
}
function keyExpr(key) {
  return typeof key === 'string' ? ":'key'" : "decode(:'key_hex', 'hex')";
}

// The jwt.sign statement; its output is the token.
function sqlSign(payloadText, key, alg, { cast = '', header = null } = {}) {
  const vars = { payload: payloadText, alg, ...keyVars(key) };
  let headerArg = '';
  if (header !== null) {
    vars.header = header;
    headerArg = ", :'header'::jsonb";
  }
  return { sql: `SELECT jwt.sign(:'payload'${cast}, ${keyExpr(key)}, :'alg'${headerArg});`, vars };
}

// The jwt.verify statement; parseVerify(output) gives {valid, header, payload}.
function sqlVerify(token, key, alg) {
  return {
    sql: `SELECT json_build_object('valid', valid, 'header', header, 'payload', payload) FROM jwt.verify(:'token', ${keyExpr(key)}, :'alg');`,
    vars: { token, alg, ...keyVars(key) },
  };
}
const parseVerify = (out) => JSON.parse(out);

// Signed in SQL, then checked by the library: check(token) gives the problem.
function sqlThenLib(name, signArgs, check) {
  defCase(name, async () => sqlSign(...signArgs), async (token) => check(token));
}

// Signed by the library (sign() resolves to the token), verified in SQL with
// key and alg: check({valid, header, payload}) gives the problem.
function libThenSql(name, sign, key, alg, check) {
  defCase(name, async () => sqlVerify(await sign(), key, alg), async (out) => check(parseVerify(out)));
}

// The first character carries six significant bits; flipping the last one
// might only touch padding bits that lenient decoders ignore.
function flipFirstSignatureChar(token) {
  const [head, body, sig] = token.split('.');
  return `${head}.${body}.${sig[0] === 'B' ? 'C' : 'B'}${sig.slice(1)}`;
}

function secretBytes(key) {
  return typeof key === 'string' ? enc.encode(key) : new Uint8Array(key);
}

// Each library as a pair of functions over the same arguments.
const LIBS = {
  jose: {
    async sign(claims, key, alg, extraHeader = {}) {
      return new jose.SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'JWT', ...extraHeader })
        .sign(secretBytes(key));
    },
    async verify(token, key, alg) {
      const { payload, protectedHeader } = await jose.jwtVerify(token, secretBytes(key), { algorithms: [alg] });
      return { payload, header: protectedHeader };
    },
    isBadSignature: (err) => err?.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    isExpired: (err) => err?.code === 'ERR_JWT_EXPIRED',
    isAlgRefused: (err) => err?.code === 'ERR_JOSE_ALG_NOT_ALLOWED',
  },
  jsonwebtoken: {
    async sign(claims, key, alg, extraHeader = {}) {
      // Without noTimestamp it adds an iat claim of its own; with it, it
      // drops the caller's iat too.
      return jsonwebtoken.sign(claims, typeof key === 'string' ? key : Buffer.from(key), {
        algorithm: alg,
        noTimestamp: !('iat' in claims),
        header: { alg, typ: 'JWT', ...extraHeader },
      });
    },
    async verify(token, key, alg) {
      const { payload, header } = jsonwebtoken.verify(token, typeof key === 'string' ? key : Buffer.from(key), {
        algorithms: [alg],
        complete: true,
      });
      return { payload, header };
    },
    isBadSignature: (err) => err?.name === 'JsonWebTokenError' && err.message === 'invalid signature',
    isExpired: (err) => err?.name === 'TokenExpiredError',
    isAlgRefused: (err) => err?.name === 'JsonWebTokenError' && err.message === 'invalid algorithm',
  },
};

async function expectThrow(what, promiseFn, predicate) {
  try {
    await promiseFn();
  } catch (err) {
    return predicate(err) ? null : `${what}: unexpected error ${err?.name} ${err?.code ?? ''} ${err?.message}`;
  }
  return `${what}: accepted`;
}

for (const [libName, lib] of Object.entries(LIBS)) {
  for (const alg of ALGS) {
    // -- signed in SQL, verified by the library
    for (const [pname, payload] of Object.entries(PAYLOADS)) {
      for (const cast of ['', '::jsonb']) {
        sqlThenLib(`sql->${libName} ${alg} ${pname} payload${cast || '::text'}`,
          [JSON.stringify(payload), SECRET, alg, { cast }], async (token) => {
            const { payload: claims, header } = await lib.verify(token, SECRET, alg);
            return expectEqual('claims', claims, payload) || expectEqual('header', header, { alg, typ: 'JWT' });
          });
      }
    }
    sqlThenLib(`sql->${libName} ${alg} extra header members`,
      ['{"sub":"h"}', SECRET, alg, { header: '{"kid":"key-1","cty":"x"}' }], async (token) => {
        const { payload, header } = await lib.verify(token, SECRET, alg);
        return expectEqual('claims', payload, { sub: 'h' })
          || expectEqual('header', header, { alg, typ: 'JWT', kid: 'key-1', cty: 'x' });
      });
    for (const [kname, key] of [['non-ASCII text', UNICODE_SECRET], ['binary (bytea)', BINARY_SECRET]]) {
      sqlThenLib(`sql->${libName} ${alg} ${kname} secret`, ['{"sub":"k"}', key, alg],
        async (token) => expectEqual('claims', (await lib.verify(token, key, alg)).payload, { sub: 'k' }));
    }

    // -- signed by the library, verified in SQL
    for (const [pname, payload] of Object.entries(PAYLOADS)) {
      libThenSql(`${libName}->sql ${alg} ${pname}`, () => lib.sign(payload, SECRET, alg), SECRET, alg,
        (r) => expectEqual('valid', r.valid, true)
          || expectEqual('payload', r.payload, payload)
          || expectEqual('header', r.header, { alg, typ: 'JWT' }));
    }
    libThenSql(`${libName}->sql ${alg} kid header`, () => lib.sign({ sub: 'k' }, SECRET, alg, { kid: 'key-2' }),
      SECRET, alg,
      (r) => expectEqual('valid', r.valid, true) || expectEqual('header', r.header, { alg, typ: 'JWT', kid: 'key-2' }));
    for (const [kname, key] of [['non-ASCII text', UNICODE_SECRET], ['binary (bytea)', BINARY_SECRET]]) {
      libThenSql(`${libName}->sql ${alg} ${kname} secret`, () => lib.sign({ sub: 'k' }, key, alg), key, alg,
        (r) => expectEqual('valid', r.valid, true) || expectEqual('payload', r.payload, { sub: 'k' }));
    }

    // -- negatives
    libThenSql(`${libName}->sql ${alg} different secret is invalid`,
      () => lib.sign({ sub: 'w' }, OTHER_SECRET, alg), SECRET, alg, (r) => expectEqual('valid', r.valid, false));
    const otherBinary = Buffer.from(BINARY_SECRET);
    otherBinary[otherBinary.length - 1] ^= 0x01;
    libThenSql(`${libName}->sql ${alg} different binary secret is invalid`,
      () => lib.sign({ sub: 'w' }, otherBinary, alg), BINARY_SECRET, alg, (r) => expectEqual('valid', r.valid, false));
    libThenSql(`${libName}->sql ${alg} flipped signature char is invalid`,
      async () => flipFirstSignatureChar(await lib.sign({ sub: 'f' }, SECRET, alg)), SECRET, alg,
      (r) => expectEqual('valid', r.valid, false));
    sqlThenLib(`sql->${libName} ${alg} flipped signature char is refused`, ['{"sub":"f"}', SECRET, alg],
      (token) => expectThrow('flipped signature',
        () => lib.verify(flipFirstSignatureChar(token), SECRET, alg), lib.isBadSignature));
    sqlThenLib(`sql->${libName} ${alg} binary secret mismatch is refused`, ['{"sub":"b"}', BINARY_SECRET, alg],
      (token) => expectThrow('other secret', () => lib.verify(token, BINARY_SECRET.subarray(1), alg), lib.isBadSignature));
    const expired = { sub: 'e', exp: NOW - 120 };
    libThenSql(`${libName}->sql ${alg} expired token is invalid`, () => lib.sign(expired, SECRET, alg), SECRET, alg,
      (r) => expectEqual('valid', r.valid, false) || expectEqual('payload', r.payload, expired));
    libThenSql(`${libName}->sql ${alg} nbf in the future is invalid`,
      () => lib.sign({ sub: 'n', nbf: NOW + 3600 }, SECRET, alg), SECRET, alg, (r) => expectEqual('valid', r.valid, false));
    sqlThenLib(`sql->${libName} ${alg} expired token is refused`, [JSON.stringify(expired), SECRET, alg],
      (token) => expectThrow('expired', () => lib.verify(token, SECRET, alg), lib.isExpired));
  }

  for (const [signed, verified] of [['HS384', 'HS256'], ['HS256', 'HS384'], ['HS512', 'HS256']]) {
    libThenSql(`${libName}->sql ${signed} token verified as ${verified} is invalid`,
      () => lib.sign({ sub: 'a' }, SECRET, signed), SECRET, verified, (r) => expectEqual('valid', r.valid, false));
    sqlThenLib(`sql->${libName} ${signed} token verified as ${verified} is refused`, ['{"sub":"a"}', SECRET, signed],
      (token) => expectThrow('alg mismatch', () => lib.verify(token, SECRET, verified), lib.isAlgRefused));
  }
}

// jose leaves typ out unless asked: a header of alg alone must verify too.
for (const alg of ALGS) {
  libThenSql(`jose->sql ${alg} header without typ`,
    () => new jose.SignJWT({ sub: 't' }).setProtectedHeader({ alg }).sign(enc.encode(SECRET)), SECRET, alg,
    (r) => expectEqual('valid', r.valid, true) || expectEqual('header', r.header, { alg }));
}

// == asymmetric algorithms =====================================================
// The fixed keys of test/keys. jose 6 has no Ed448 and no ES256K (WebCrypto
// lacks them); jsonwebtoken 9 has no EdDSA. Ed25519 is RFC 9864's name.
const KEY_DIR = new URL('../keys/', import.meta.url);
const readKey = (name) => readFileSync(new URL(name, KEY_DIR), 'utf8');

const RSA_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const ASYM = {
  // [algorithm, key file stem]: PKCS#8 <stem>.pem, SPKI <stem>.pub.pem
  jose: [...RSA_ALGS.map((a) => [a, 'rsa2048']), ['RS256', 'rsa3072'], ['PS512', 'rsa3072'],
    ['ES256', 'ec_p256'], ['ES384', 'ec_p384'], ['ES512', 'ec_p521'],
    ['EdDSA', 'ed25519'], ['Ed25519', 'ed25519']],
  jsonwebtoken: [...RSA_ALGS.map((a) => [a, 'rsa2048']), ['RS256', 'rsa3072'], ['PS512', 'rsa3072'],
    ['ES256', 'ec_p256'], ['ES384', 'ec_p384'], ['ES512', 'ec_p521']],
};
const ASYM_PAYLOADS = [['simple', ''], ['simple', '::jsonb'], ['unicode', ''], ['exp-future', '::jsonb']];
// The same private key in another format (PKCS#1 RSA, SEC1 EC), and the same
// public key as an X.509 certificate or PKCS#1 RSA public key.
const OTHER_PRIVATE_FORMATS = {
  rsa2048: [['PKCS#1', 'rsa2048.pkcs1.pem']],
  ec_p256: [['SEC1', 'ec_p256.sec1.pem']],
  ec_p384: [['SEC1', 'ec_p384.sec1.pem']],
  ec_p521: [['SEC1', 'ec_p521.sec1.pem']],
};
const OTHER_PUBLIC_FORMATS = {
  rsa2048: [['X.509 certificate', 'rsa2048.cert.pem'], ['PKCS#1 public', 'rsa2048.pkcs1.pub.pem']],
};
const RANDOMISED = ['PS', 'ES'];

// A key of the same type and curve that is not the fixed one, as PEM.
function otherKeyPem(stem) {
  if (stem === 'rsa2048') return { priv: readKey('rsa3072.pem'), pub: readKey('rsa3072.pub.pem') };
  if (stem === 'rsa3072') return { priv: readKey('rsa2048.pem'), pub: readKey('rsa2048.pub.pem') };
  const pair = stem === 'ed25519'
    ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('ec', { namedCurve: { ec_p256: 'P-256', ec_p384: 'P-384', ec_p521: 'P-521' }[stem] });
  return {
    priv: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    pub: pair.publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

const PEMS = {};
for (const stem of new Set(Object.values(ASYM).flat().map(([, s]) => s))) {
  PEMS[stem] = { priv: readKey(`${stem}.pem`), pub: readKey(`${stem}.pub.pem`), other: otherKeyPem(stem) };
}

// Each library signs with a private key PEM and verifies with a public key
// PEM (any of the formats above); errors are classified as for HS*.
const ASYM_LIBS = {
  jose: {
    ...LIBS.jose,
    // PKCS#8 and SPKI through jose's importers, a certificate through
    // importX509, PKCS#1 and SEC1 as node:crypto KeyObjects.
    async privateKey(pem, alg) {
      return pem.includes('BEGIN PRIVATE KEY') ? jose.importPKCS8(pem, alg) : createPrivateKey(pem);
    },
    async publicKey(pem, alg) {
      if (pem.includes('BEGIN PUBLIC KEY')) return jose.importSPKI(pem, alg);
      if (pem.includes('BEGIN CERTIFICATE')) return jose.importX509(pem, alg);
      return createPublicKey(pem);
    },
    async sign(claims, privPem, alg, extraHeader = {}) {
      return new jose.SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'JWT', ...extraHeader })
        .sign(await this.privateKey(privPem, alg));
    },
    async verify(token, pubPem, alg) {
      const { payload, protectedHeader } = await jose.jwtVerify(token, await this.publicKey(pubPem, alg),
        { algorithms: [alg] });
      return { payload, header: protectedHeader };
    },
  },
  // jsonwebtoken takes PEM text of every format (node:crypto parses it).
  jsonwebtoken: LIBS.jsonwebtoken,
};

// jwt.sign / jwt.verify with the jsonb key overload; alg null passes NULL.
function sqlSignJsonb(payloadText, jwk, alg = null) {
  const vars = { payload: payloadText, jwk: JSON.stringify(jwk) };
  if (alg !== null) vars.alg = alg;
  return { sql: `SELECT jwt.sign(:'payload', :'jwk'::jsonb, ${alg === null ? 'NULL' : ":'alg'"});`, vars };
}
function sqlVerifyJsonb(token, jwk, alg = null) {
  const vars = { token, jwk: JSON.stringify(jwk) };
  if (alg !== null) vars.alg = alg;
  return {
    sql: `SELECT json_build_object('valid', valid, 'header', header, 'payload', payload) FROM jwt.verify(:'token', :'jwk'::jsonb, ${alg === null ? 'NULL' : ":'alg'"});`,
    vars,
  };
}
// Signed by the library, verified in SQL with a JWK or JWK set as jsonb.
function libThenSqlJsonb(name, sign, jwk, alg, check) {
  defCase(name, async () => sqlVerifyJsonb(await sign(), jwk, alg), async (out) => check(parseVerify(out)));
}

for (const [libName, lib] of Object.entries(ASYM_LIBS)) {
  for (const [alg, stem] of ASYM[libName]) {
    const { priv, pub, other } = PEMS[stem];
    const label = `${alg}/${stem}`;

    // -- signed in SQL, verified by the library
    for (const [pname, cast] of ASYM_PAYLOADS) {
      const payload = PAYLOADS[pname];
      sqlThenLib(`sql->${libName} ${label} ${pname} payload${cast || '::text'}`,
        [JSON.stringify(payload), priv, alg, { cast }], async (token) => {
          const { payload: claims, header } = await lib.verify(token, pub, alg);
          return expectEqual('claims', claims, payload) || expectEqual('header', header, { alg, typ: 'JWT' });
        });
    }
    for (const [fmt, file] of OTHER_PRIVATE_FORMATS[stem] ?? []) {
      sqlThenLib(`sql->${libName} ${label} signed with the ${fmt} private key`, ['{"sub":"p"}', readKey(file), alg],
        async (token) => expectEqual('claims', (await lib.verify(token, pub, alg)).payload, { sub: 'p' }));
    }
    for (const [fmt, file] of OTHER_PUBLIC_FORMATS[stem] ?? []) {
      sqlThenLib(`sql->${libName} ${label} verified with the ${fmt}`, ['{"sub":"p"}', priv, alg],
        async (token) => expectEqual('claims', (await lib.verify(token, readKey(file), alg)).payload, { sub: 'p' }));
    }
    sqlThenLib(`sql->${libName} ${label} extra header members`,
      ['{"sub":"h"}', priv, alg, { header: '{"kid":"key-1","cty":"x"}' }], async (token) => {
        const { payload, header } = await lib.verify(token, pub, alg);
        return expectEqual('claims', payload, { sub: 'h' })
          || expectEqual('header', header, { alg, typ: 'JWT', kid: 'key-1', cty: 'x' });
      });
    sqlThenLib(`sql->${libName} ${label} flipped signature char is refused`, ['{"sub":"f"}', priv, alg],
      (token) => expectThrow('flipped signature',
        () => lib.verify(flipFirstSignatureChar(token), pub, alg), lib.isBadSignature));
    sqlThenLib(`sql->${libName} ${label} another public key is refused`, ['{"sub":"o"}', priv, alg],
      (token) => expectThrow('other key', () => lib.verify(token, other.pub, alg), lib.isBadSignature));
    const expired = { sub: 'e', exp: NOW - 120 };
    sqlThenLib(`sql->${libName} ${label} expired token is refused`, [JSON.stringify(expired), priv, alg],
      (token) => expectThrow('expired', () => lib.verify(token, pub, alg), lib.isExpired));
    if (RANDOMISED.some((p) => alg.startsWith(p))) {
      // Two jwt.sign calls in one statement: VOLATILE, so both run.
      defCase(`sql->${libName} ${label} signing twice gives two different tokens, both verify`,
        async () => ({
          sql: "SELECT jwt.sign(:'payload', :'key', :'alg') || ' ' || jwt.sign(:'payload', :'key', :'alg');",
          vars: { payload: '{"sub":"r"}', key: priv, alg },
        }),
        async (out) => {
          const [first, second] = out.split(' ');
          if (first === second) return `two signatures are equal: ${first}`;
          return expectEqual('claims 1', (await lib.verify(first, pub, alg)).payload, { sub: 'r' })
            || expectEqual('claims 2', (await lib.verify(second, pub, alg)).payload, { sub: 'r' });
        });
    }

    // -- signed by the library, verified in SQL
    for (const pname of ['simple', 'unicode', 'exp-future']) {
      const payload = PAYLOADS[pname];
      libThenSql(`${libName}->sql ${label} ${pname}`, () => lib.sign(payload, priv, alg), pub, alg,
        (r) => expectEqual('valid', r.valid, true)
          || expectEqual('payload', r.payload, payload)
          || expectEqual('header', r.header, { alg, typ: 'JWT' }));
    }
    libThenSql(`${libName}->sql ${label} kid header`, () => lib.sign({ sub: 'k' }, priv, alg, { kid: 'key-2' }),
      pub, alg,
      (r) => expectEqual('valid', r.valid, true) || expectEqual('header', r.header, { alg, typ: 'JWT', kid: 'key-2' }));
    for (const [fmt, file] of OTHER_PRIVATE_FORMATS[stem] ?? []) {
      libThenSql(`${libName}->sql ${label} signed with the ${fmt} private key`,
        () => lib.sign({ sub: 'p' }, readKey(file), alg), pub, alg,
        (r) => expectEqual('valid', r.valid, true) || expectEqual('payload', r.payload, { sub: 'p' }));
    }
    for (const [fmt, file] of OTHER_PUBLIC_FORMATS[stem] ?? []) {
      libThenSql(`${libName}->sql ${label} verified with the ${fmt}`, () => lib.sign({ sub: 'p' }, priv, alg),
        readKey(file), alg,
        (r) => expectEqual('valid', r.valid, true) || expectEqual('payload', r.payload, { sub: 'p' }));
    }
    if (libName === 'jose') {
      // The public key as jose exports it (exportJWK), as text and as jsonb.
      const jwk = async () => jose.exportJWK(await jose.importSPKI(pub, alg, { extractable: true }));
      defCase(`jose->sql ${label} verified with the exported public JWK as text`,
        async () => sqlVerify(await lib.sign({ sub: 'j' }, priv, alg), JSON.stringify(await jwk()), alg),
        async (out) => {
          const r = parseVerify(out);
          return expectEqual('valid', r.valid, true) || expectEqual('payload', r.payload, { sub: 'j' });
        });
      defCase(`jose->sql ${label} verified with the exported public JWK ::jsonb`,
        async () => sqlVerifyJsonb(await lib.sign({ sub: 'j' }, priv, alg), await jwk(), alg),
        async (out) => {
          const r = parseVerify(out);
          return expectEqual('valid', r.valid, true) || expectEqual('payload', r.payload, { sub: 'j' });
        });
    }
    libThenSql(`${libName}->sql ${label} signed with another key is invalid`,
      () => lib.sign({ sub: 'o' }, other.priv, alg), pub, alg, (r) => expectEqual('valid', r.valid, false));
    libThenSql(`${libName}->sql ${label} flipped signature char is invalid`,
      async () => flipFirstSignatureChar(await lib.sign({ sub: 'f' }, priv, alg)), pub, alg,
      (r) => expectEqual('valid', r.valid, false));
    libThenSql(`${libName}->sql ${label} expired token is invalid`, () => lib.sign(expired, priv, alg), pub, alg,
      (r) => expectEqual('valid', r.valid, false) || expectEqual('payload', r.payload, expired));
  }

  // Same key, another algorithm of its family.
  const mismatches = [['RS256', 'PS256', 'rsa2048'], ['PS256', 'RS256', 'rsa2048'], ['RS512', 'RS256', 'rsa2048']];
  if (libName === 'jose') mismatches.push(['EdDSA', 'Ed25519', 'ed25519'], ['Ed25519', 'EdDSA', 'ed25519']);
  for (const [signed, verified, stem] of mismatches) {
    const { priv, pub } = PEMS[stem];
    libThenSql(`${libName}->sql ${signed}/${stem} token verified as ${verified} is invalid`,
      () => lib.sign({ sub: 'a' }, priv, signed), pub, verified, (r) => expectEqual('valid', r.valid, false));
    sqlThenLib(`sql->${libName} ${signed}/${stem} token verified as ${verified} is refused`,
      ['{"sub":"a"}', priv, signed],
      (token) => expectThrow('alg mismatch', () => lib.verify(token, pub, verified), lib.isAlgRefused));
  }
}

// -- JWK sets and private JWKs made by jose -------------------------------------
// One generated key pair each for RS256, ES256 and EdDSA, exported as JWKs
// with a kid. MIXED holds one public key of each; SAME[alg] holds three keys
// of one algorithm, each naming its alg (so algorithm NULL works in SQL), the
// generated one last (a token without kid makes SQL try all three).
async function generated(alg, kid) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  return {
    kid, alg, publicKey, privateKey,
    publicJwk: { ...(await jose.exportJWK(publicKey)), kid, alg },
    privateJwk: await jose.exportJWK(privateKey),
  };
}
const fixedJwk = async (stem, alg, kid) =>
  ({ ...(await jose.exportJWK(await jose.importSPKI(readKey(`${stem}.pub.pem`), alg, { extractable: true }))), kid, alg });

const JWKS_ALGS = [['RS256', 'rsa', 'rsa3072'], ['ES256', 'ec', 'ec_p256'], ['EdDSA', 'ed', 'ed25519']];
const GEN = {};
const SAME = {};
for (const [alg, prefix, stem] of JWKS_ALGS) {
  GEN[alg] = await generated(alg, `${prefix}-1`);
  // The third key of each set: fixed for RSA (generating one is slow), else generated.
  const third = alg === 'RS256' ? await fixedJwk('rsa2048', alg, `${prefix}-3`)
    : (await generated(alg, `${prefix}-3`)).publicJwk;
  SAME[alg] = { keys: [await fixedJwk(stem, alg, `${prefix}-2`), third, GEN[alg].publicJwk] };
}
const MIXED = { keys: JWKS_ALGS.map(([alg]) => GEN[alg].publicJwk) };

async function joseSign(claims, key, alg, header = {}) {
  return new jose.SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...header }).sign(key);
}
const expectValid = (alg, kid) => (r) => expectEqual('valid', r.valid, true)
  || expectEqual('header', r.header, { alg, typ: 'JWT', ...(kid ? { kid } : {}) })
  || expectEqual('payload', r.payload, { sub: 's' });
const expectInvalid = (r) => expectEqual('valid', r.valid, false);

for (const [alg, prefix] of JWKS_ALGS) {
  const g = GEN[alg];
  const signed = (kid) => () => joseSign({ sub: 's' }, g.privateKey, alg, kid ? { kid } : {});
  libThenSql(`jose->sql ${alg} JWK set of three algorithms as text, kid selects`, signed(g.kid),
    JSON.stringify(MIXED), alg, expectValid(alg, g.kid));
  libThenSqlJsonb(`jose->sql ${alg} JWK set of three algorithms ::jsonb, kid selects`, signed(g.kid),
    MIXED, alg, expectValid(alg, g.kid));
  libThenSqlJsonb(`jose->sql ${alg} JWK set of three ${alg} keys ::jsonb, algorithm NULL, kid selects`,
    signed(g.kid), SAME[alg], null, expectValid(alg, g.kid));
  libThenSql(`jose->sql ${alg} JWK set of three ${alg} keys as text, token without kid (keys tried)`,
    signed(null), JSON.stringify(SAME[alg]), alg, expectValid(alg, null));
  libThenSqlJsonb(`jose->sql ${alg} JWK set of three algorithms ::jsonb, token without kid (keys tried)`,
    signed(null), MIXED, alg, expectValid(alg, null));
  libThenSql(`jose->sql ${alg} JWK set as text, kid not in the set is invalid`, signed(`${prefix}-9`),
    JSON.stringify(MIXED), alg, expectInvalid);
  libThenSqlJsonb(`jose->sql ${alg} JWK set ::jsonb, kid not in the set is invalid`, signed(`${prefix}-9`),
    MIXED, alg, expectInvalid);
  libThenSqlJsonb(`jose->sql ${alg} JWK set ::jsonb, kid of another key in the set is invalid`,
    signed(`${prefix}-2`), SAME[alg], null, expectInvalid);

  // A private JWK exported by jose: its alg and kid added, algorithm NULL.
  defCase(`sql->jose ${alg} private JWK exported by jose ::jsonb, algorithm NULL`,
    async () => sqlSignJsonb('{"sub":"p"}', { ...g.privateJwk, kid: g.kid, alg }),
    async (token) => {
      const { payload, protectedHeader } = await jose.jwtVerify(token, g.publicKey, { algorithms: [alg] });
      return expectEqual('claims', payload, { sub: 'p' })
        || expectEqual('header', protectedHeader, { alg, typ: 'JWT', kid: g.kid });
    });
  defCase(`sql->jose ${alg} private JWK exported by jose (no alg member) ::jsonb, algorithm given`,
    async () => sqlSignJsonb('{"sub":"p"}', { ...g.privateJwk, kid: g.kid }, alg),
    async (token) => {
      const { payload, protectedHeader } = await jose.jwtVerify(token, g.publicKey, { algorithms: [alg] });
      return expectEqual('claims', payload, { sub: 'p' })
        || expectEqual('header', protectedHeader, { alg, typ: 'JWT', kid: g.kid });
    });
}

// A token without kid is tried against at most 16 usable keys of a set: the
// signing key as the 16th of 16 verifies, as the 17th of 17 is never tried.
{
  const pairs = [];
  for (let i = 1; i <= 17; i++) pairs.push(await generated('ES256', `many-${i}`));
  const signer = pairs[16];
  const set = (n) => ({ keys: pairs.slice(17 - n).map((p) => p.publicJwk) });
  const sign = () => joseSign({ sub: 's' }, signer.privateKey, 'ES256');
  libThenSql('jose->sql ES256 JWK set, token without kid, signing key 16th of 16 verifies', sign,
    JSON.stringify(set(16)), 'ES256', expectValid('ES256', null));
  libThenSqlJsonb('jose->sql ES256 JWK set ::jsonb, token without kid, signing key 17th of 17 is invalid', sign,
    set(17), null, expectInvalid);
}

try {
  psql([], 'CREATE EXTENSION IF NOT EXISTS pg_jwt;\n');
  await runCases();
} catch (err) {
  console.log(`FAIL setup: ${String(err.stderr || err.message).trim()}`);
  failed += 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
