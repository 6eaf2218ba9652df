// Outbound URL redaction on its own: the pure functions behind a client span's `url.full`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullUrl, redactQuery, sensitiveQueryKeys } from '../dist/esm/core/outbound/url.js';

describe('redactQuery', () => {
  const cases = [
    ['X-Amz-Signature=abc&x=1', 'X-Amz-Signature=REDACTED&x=1'],
    ['x-amz-signature=abc', 'x-amz-signature=REDACTED', 'names match case-insensitively'],
    ['X-AMZ-CREDENTIAL=AKIA%2F20260101', 'X-AMZ-CREDENTIAL=REDACTED'],
    ['X%2DAmz%2DSignature=abc', 'X%2DAmz%2DSignature=REDACTED', 'names match after percent-decoding'],
    ['x%2damz%2dsecurity%2dtoken=t', 'x%2damz%2dsecurity%2dtoken=REDACTED'],
    ['X-Goog-Signature=g&X-Goog-Date=20260101', 'X-Goog-Signature=REDACTED&X-Goog-Date=20260101'],
    ['AWSAccessKeyId=AKIA&Signature=s&Expires=1', 'AWSAccessKeyId=REDACTED&Signature=REDACTED&Expires=1'],
    ['sig=s&SIG=t', 'sig=REDACTED&SIG=REDACTED'],
    ['%E0%A4%A=1&sig=s', '%E0%A4%A=1&sig=REDACTED', 'a malformed escape is kept as it is'],
    ['Signature', 'Signature', 'a key without a value is left alone'],
    ['a=1&&b=2&', 'a=1&&b=2&', 'empty pairs are kept'],
    ['', ''],
    ['signature_version=4', 'signature_version=4', 'only whole names match'],
  ];
  for (const [query, expected, why] of cases) {
    it(`${JSON.stringify(query)} → ${JSON.stringify(expected)}${why ? ` (${why})` : ''}`, () => {
      assert.equal(redactQuery(query), expected);
    });
  }

  it('redacts extra keys added to the defaults, still matching every form of the name', () => {
    const keys = sensitiveQueryKeys(['token', 'API_KEY']);
    assert.equal(redactQuery('token=t&Api_Key=k&api%5Fkey=k2&page=2', keys), 'token=REDACTED&Api_Key=REDACTED&api%5Fkey=REDACTED&page=2');
    assert.equal(redactQuery('X-Amz-Signature=s', keys), 'X-Amz-Signature=REDACTED', 'the defaults stay');
    assert.equal(redactQuery('token=t'), 'token=t', 'not a default');
  });
});

describe('fullUrl', () => {
  it('redacts user info and sensitive query values, keeping the path and fragment', () => {
    assert.equal(fullUrl('https://u:p@s3.amazonaws.com', '/b/k?x-amz-signature=abc&x=1#top'), 'https://REDACTED:REDACTED@s3.amazonaws.com/b/k?x-amz-signature=REDACTED&x=1#top');
    assert.equal(fullUrl('http://127.0.0.1:8080', '/plain'), 'http://127.0.0.1:8080/plain');
    assert.equal(fullUrl('http://h', '/p?token=t', sensitiveQueryKeys(['token'])), 'http://h/p?token=REDACTED');
  });
});
