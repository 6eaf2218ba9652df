// The X-Ray header module on its own: pure parse and format functions, one case per line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatResponseHeader,
  formatRoot,
  headerText,
  parseRoot,
  parseXRayHeader,
  withLineage,
} from '../dist/esm/core/xray/header.js';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';

describe('parseXRayHeader', () => {
  const accepted = [
    ['full header', `Root=${ROOT};Parent=${PARENT};Sampled=1`, { traceId: TRACE_ID, parentId: PARENT, sampled: true }],
    ['Sampled=0', `Root=${ROOT};Parent=${PARENT};Sampled=0`, { traceId: TRACE_ID, parentId: PARENT, sampled: false }],
    ['Sampled=?', `Root=${ROOT};Parent=${PARENT};Sampled=?`, { traceId: TRACE_ID, parentId: PARENT }],
    ['no Sampled', `Root=${ROOT};Parent=${PARENT}`, { traceId: TRACE_ID, parentId: PARENT }],
    ['Root only (ALB)', `Root=${ROOT}`, { traceId: TRACE_ID }],
    ['Self before Root (ALB)', `Self=1-67891233-12456789abcdef012345678;Root=${ROOT}`, { traceId: TRACE_ID }],
    ['keys in any order and case', `sampled=1;PARENT=${PARENT};root=${ROOT}`, { traceId: TRACE_ID, parentId: PARENT, sampled: true }],
    ['spaces around ; and =', ` Root = ${ROOT} ; Parent = ${PARENT} ; Sampled = 1 `, { traceId: TRACE_ID, parentId: PARENT, sampled: true }],
    ['upper-case hex', `Root=${ROOT.toUpperCase()};Parent=${PARENT.toUpperCase()}`, { traceId: TRACE_ID, parentId: PARENT }],
    ['a valid Lineage', `Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=3:d2b0e4b0:1`, { traceId: TRACE_ID, parentId: PARENT, sampled: true, lineage: '3:d2b0e4b0:1' }],
    ['a bad Lineage, dropped', `Root=${ROOT};Parent=${PARENT};Lineage=99999:d2b0e4b0:1`, { traceId: TRACE_ID, parentId: PARENT }],
    ['an unknown key', `Root=${ROOT};Foo=bar`, { traceId: TRACE_ID }],
  ];
  for (const [name, header, expected] of accepted) {
    it(`reads ${name}`, () => {
      const parsed = parseXRayHeader(header);
      assert.ok(parsed);
      assert.deepEqual(
        Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)),
        expected,
      );
    });
  }

  const rejected = [
    ['no Root', `Parent=${PARENT};Sampled=1`],
    ['a short Root', 'Root=1-5759e988-bd862e3fe1be46a99427279'],
    ['a long Root', 'Root=1-5759e988-bd862e3fe1be46a9942727933'],
    ['version 2', 'Root=2-5759e988-bd862e3fe1be46a994272793'],
    ['a missing dash', 'Root=1-5759e988bd862e3fe1be46a994272793x'],
    ['non-hex digits', 'Root=1-5759e988-bd862e3fe1be46a99427279z'],
    ['an all-zero trace id', 'Root=1-00000000-000000000000000000000000'],
    ['a short Parent', `Root=${ROOT};Parent=53995c3f42cd8ad`],
    ['an all-zero Parent', `Root=${ROOT};Parent=0000000000000000`],
    ['two headers joined by a comma', `Root=${ROOT},Root=${ROOT}`],
    ['a header over 1,024 characters', `Root=${ROOT};x=${'a'.repeat(1100)}`],
    ['an empty string', ''],
    ['a number', 42],
    ['undefined', undefined],
  ];
  for (const [name, header] of rejected) {
    it(`rejects ${name}`, () => assert.equal(parseXRayHeader(header), undefined));
  }
});

describe('Root and header formatting', () => {
  it('converts between the OTel trace id and the X-Ray Root', () => {
    assert.equal(formatRoot(TRACE_ID), ROOT);
    assert.equal(parseRoot(ROOT), TRACE_ID);
    assert.equal(parseRoot(formatRoot(TRACE_ID)), TRACE_ID);
  });

  it('adds a Lineage when there is one', () => {
    const header = `Root=${ROOT};Parent=${PARENT};Sampled=0`;
    assert.equal(withLineage(header, undefined), header);
    assert.equal(withLineage(header, '3:d2b0e4b0:1'), `${header};Lineage=3:d2b0e4b0:1`);
  });

  it('writes the response header with the decision', () => {
    assert.equal(formatResponseHeader(TRACE_ID, true), `Root=${ROOT};Sampled=1`);
    assert.equal(formatResponseHeader(TRACE_ID, false), `Root=${ROOT};Sampled=0`);
  });

  it('reads back what it writes', () => {
    assert.deepEqual(parseXRayHeader(withLineage(`Root=${formatRoot(TRACE_ID)};Parent=${PARENT};Sampled=1`, '1:abcdef01:0')), {
      traceId: TRACE_ID,
      parentId: PARENT,
      sampled: true,
      lineage: '1:abcdef01:0',
    });
  });
});

describe('headerText', () => {
  const header = `Root=${ROOT};Parent=${PARENT};Sampled=1`;
  it('takes a string as it is', () => assert.equal(headerText(header), header));
  it('takes the one value of a one-element array', () => assert.equal(headerText([header]), header));
  const unfit = [
    ['nothing', undefined],
    ['a number', 42],
    ['two values', [header, header]],
    ['an empty array', []],
    ['an array holding a number', [42]],
    ['values joined by a comma', `${header}, ${header}`],
    ['over 1024 characters', `${header};Pad=${'x'.repeat(1024)}`],
  ];
  for (const [name, value] of unfit) {
    it(`refuses ${name}`, () => assert.equal(headerText(value), undefined));
  }
});
