import { describe, expect, it } from 'vitest';
import { jsonScalarText, parseVendorJson } from '../../lambdas/json.js';

// What a vendor wrote is what lands: JSON.stringify of what parseVendorJson read gives the same numbers back.
describe('parseVendorJson', () => {
  it('keeps the digits of integers beyond 2^53, which a double would change', () => {
    const text = '{"Results":[{"id":9007199254740993,"n":1},{"id":9007199254740992,"n":2},{"id":-12345678901234567891,"n":3}]}';
    expect(JSON.stringify(JSON.parse(text))).not.toBe(text);
    expect(JSON.stringify(parseVendorJson(text))).toBe(text);
    const [first, second, third] = (parseVendorJson(text) as { Results: Array<{ id: unknown; n: unknown }> }).Results;
    expect([jsonScalarText(first!.id), jsonScalarText(second!.id), jsonScalarText(third!.id)]).toEqual(['9007199254740993', '9007199254740992', '-12345678901234567891']);
    // The other numbers stay numbers.
    expect([first!.n, second!.n, third!.n]).toEqual([1, 2, 3]);
  });

  it('keeps a number too large for a double, which JSON.stringify would write as null', () => {
    const text = '{"data":[{"big":1e400,"small":-1E+999,"nested":[[2.5e10]]}]}';
    expect(JSON.stringify(JSON.parse(text))).toContain('null');
    expect(JSON.stringify(parseVendorJson(text))).toBe(text);
  });

  it('reads ordinary bodies as JSON.parse does, numbers as numbers', () => {
    const text = '{"Results":[{"id":1,"amount":12.5,"big":9007199254740991,"tiny":1e-7,"s":"9007199254740993","t":null,"u":[true,{"v":-0.25}]}],"NextToken":"abc"}';
    const value = parseVendorJson(text);
    expect(value).toEqual(JSON.parse(text));
    expect(typeof (value as { Results: Array<{ big: unknown }> }).Results[0]!.big).toBe('number');
    expect(jsonScalarText('9007199254740993')).toBe('9007199254740993');
    expect(jsonScalarText(42)).toBe('42');
  });

  it('throws what JSON.parse throws on a body that is not JSON', () => {
    expect(() => parseVendorJson('{"Results":[{"id":1}')).toThrow(SyntaxError);
  });
});

describe('parseVendorJson on deep bodies', () => {
  it('reads a body nested deeper than the call stack, as JSON.parse does', () => {
    const depth = 200_000;
    const text = `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    let value = parseVendorJson(text);
    let levels = 0;
    while (Array.isArray(value)) {
      value = value[0];
      levels++;
    }
    expect([levels, value]).toEqual([depth, 1]);
  });
});
