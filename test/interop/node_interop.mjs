// Interop of pg_jwt's HS256/HS384/HS512 tokens with the npm packages `jose`
// and `jsonwebtoken`, both directions. PostgreSQL is reached through psql
// (libpq environment: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE); every
// token, secret and payload travels as a psql variable quoted with :'name',
// never spliced into SQL text. Prints one line per failed check and ends with
// exactly one line "N passed, N failed"; exits non-zero when a check failed.
// Pass -v to print every check.

import { execFileSync } from 'node:child_process';
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

try {
  psql([], 'CREATE EXTENSION IF NOT EXISTS pg_jwt;\n');
  await runCases();
} catch (err) {
  console.log(`FAIL setup: ${String(err.stderr || err.message).trim()}`);
  failed += 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
