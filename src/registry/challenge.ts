// WWW-Authenticate, parsed by RFC 7235's grammar rather than by regex:
//
//   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param = token BWS "=" BWS ( token / quoted-string )
//
// A header may carry several challenges separated by commas, and a response may carry several
// header lines. A comma also separates parameters, so after each comma we look ahead: `name =`
// continues the current challenge, anything else starts a new one. Quoted values may contain
// commas (`scope="repository:a:push,pull"`) and backslash escapes.

export interface Challenge {
  /** Lower-cased: `basic`, `bearer`. */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  skipWs(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  skipWsAndCommas(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }
  token(): string {
    const start = this.pos;
    while (!this.done && TCHAR.test(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }
  quoted(): string {
    // Caller saw the opening quote.
    this.pos++;
    let out = '';
    while (!this.done) {
      const c = this.s[this.pos++];
      if (c === '\\' && !this.done) out += this.s[this.pos++];
      else if (c === '"') return out;
      else out += c;
    }
    return out; // unterminated: be lenient, keep what we have
  }
  /** After a comma: does `token BWS =` follow (a parameter), rather than a new scheme? */
  paramAhead(): boolean {
    const save = this.pos;
    this.skipWs();
    const name = this.token();
    this.skipWs();
    const isParam = name.length > 0 && this.peek() === '=' && this.s[this.pos + 1] !== '=';
    this.pos = save;
    return isParam;
  }
}

export function parseChallenges(headers: string | string[] | undefined | null): Challenge[] {
  if (!headers) return [];
  const lines = Array.isArray(headers) ? headers : [headers];
  return lines.flatMap(parseLine);
}

function parseLine(line: string): Challenge[] {
  const sc = new Scanner(line);
  const out: Challenge[] = [];
  while (true) {
    sc.skipWsAndCommas();
    if (sc.done) break;
    const scheme = sc.token();
    if (!scheme) {
      sc.pos++; // stray character: skip it rather than loop
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    sc.skipWs();

    // token68 (`Negotiate abc==`) stands alone after the scheme: the run of token68
    // characters and its `=` padding reaches the end or a comma. `name=value` does not.
    const t68start = sc.pos;
    while (!sc.done && TOKEN68_CHAR.test(sc.peek())) sc.pos++;
    while (sc.peek() === '=') sc.pos++;
    const candidate = line.slice(t68start, sc.pos);
    sc.skipWs();
    if (candidate && (sc.done || sc.peek() === ',')) {
      challenge.token68 = candidate;
      continue;
    }
    sc.pos = t68start;

    // auth-params until the next challenge.
    while (true) {
      sc.skipWs();
      const name = sc.token();
      if (!name) break;
      sc.skipWs();
      if (sc.peek() !== '=') {
        // Not a parameter: this token begins the next challenge.
        sc.pos -= name.length;
        break;
      }
      sc.pos++;
      sc.skipWs();
      const value = sc.peek() === '"' ? sc.quoted() : sc.token();
      // Defined, not assigned: a parameter named `__proto__` must stay a parameter.
      Object.defineProperty(challenge.params, name.toLowerCase(), { value, enumerable: true, writable: true, configurable: true });
      sc.skipWs();
      if (sc.peek() !== ',') break;
      // Commas may repeat (`a=1,,b=2`); stop at the first that precedes a new scheme.
      let look = sc.pos;
      while (line[look] === ',' || line[look] === ' ' || line[look] === '\t') look++;
      const save = sc.pos;
      sc.pos = look;
      if (!sc.paramAhead()) {
        sc.pos = save;
        break;
      }
    }
  }
  return out;
}

/** The scopes a Bearer challenge asks for (`scope` is space-separated per the token spec). */
export function challengeScopes(c: Challenge): string[] {
  return (c.params.scope ?? '').split(' ').filter(Boolean);
}

/** Pick the challenge we can answer, preferring Bearer (scoped, short-lived) over Basic. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer' && c.params.realm) ?? challenges.find((c) => c.scheme === 'basic');
}
