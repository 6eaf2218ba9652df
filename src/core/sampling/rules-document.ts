import { readFileSync } from 'node:fs';
import type { XRaySamplingRule, XRaySamplingRules } from '../types.js';
import { PREFIX, describeValue } from '../common/index.js';

const DOCUMENT_KEYS = new Set(['version', 'rules', 'default']);
/** A rule's keys by document version: version 1 names `service_name` where version 2 says `host`. */
const RULE_KEYS = {
  1: new Set(['description', 'service_name', 'http_method', 'url_path', 'fixed_target', 'rate']),
  2: new Set(['description', 'host', 'http_method', 'url_path', 'fixed_target', 'rate']),
} as const;
const HOST_KEY = { 1: 'service_name', 2: 'host' } as const;
const DEFAULT_KEYS = new Set(['fixed_target', 'rate']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const show = describeValue;

class RulesError extends TypeError {
  constructor(where: string, message: string) {
    super(`${PREFIX}${where}: ${message}`);
  }
}

function checkKeys(where: string, path: string, value: Record<string, unknown>, allowed: Set<string>): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw new RulesError(where, `${path} has an unknown key "${key}" (allowed: ${[...allowed].join(', ')})`);
  }
}

function checkTarget(where: string, path: string, value: Record<string, unknown>): void {
  const { fixed_target: fixedTarget, rate } = value;
  if (typeof fixedTarget !== 'number' || !Number.isInteger(fixedTarget) || fixedTarget < 0) {
    throw new RulesError(where, `${path}.fixed_target must be a whole number of requests per second, 0 or more (got ${show(fixedTarget)})`);
  }
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw new RulesError(where, `${path}.rate must be a number from 0 to 1 (got ${show(rate)})`);
  }
}

/** A checked rule, in the version 2 form the sampler matches (a version 1 `service_name` is its `host`). */
function checkRule(where: string, path: string, rule: unknown, version: 1 | 2): XRaySamplingRule {
  if (!isObject(rule)) throw new RulesError(where, `${path} must be an object (got ${show(rule)})`);
  checkKeys(where, path, rule, RULE_KEYS[version]);
  for (const key of [HOST_KEY[version], 'http_method', 'url_path'] as const) {
    if (typeof rule[key] !== 'string' || rule[key] === '') {
      throw new RulesError(where, `${path}.${key} must be a non-empty string, "*" for any (got ${show(rule[key])})`);
    }
  }
  if (rule.description !== undefined && typeof rule.description !== 'string') {
    throw new RulesError(where, `${path}.description must be a string (got ${show(rule.description)})`);
  }
  checkTarget(where, path, rule);
  const checked = rule as Record<string, string> & { fixed_target: number; rate: number };
  return {
    ...(checked.description === undefined ? {} : { description: checked.description }),
    host: checked[HOST_KEY[version]] as string,
    http_method: checked.http_method as string,
    url_path: checked.url_path as string,
    fixed_target: checked.fixed_target,
    rate: checked.rate,
  };
}

/** A checked document in the form the sampler reads: version 2 rules, in document order. */
export interface LocalRulesDocument {
  rules: XRaySamplingRule[];
  default: { fixed_target: number; rate: number };
}

/**
 * Checks an X-Ray local sampling rules document (version 1 or 2, as the X-Ray SDKs read them)
 * and throws a TypeError naming the first thing wrong, so a typo never turns into sampling
 * everything. `where` names the source in the message (`sampler.rules`, or the file).
 */
function checkRulesDocument(document: unknown, where = 'sampler.rules'): LocalRulesDocument {
  if (!isObject(document)) throw new RulesError(where, `the rules document must be an object (got ${show(document)})`);
  checkKeys(where, 'the rules document', document, DOCUMENT_KEYS);
  const version = document.version;
  if (version !== 1 && version !== 2) throw new RulesError(where, `version must be 1 or 2 (got ${show(version)})`);
  const rules = document.rules ?? [];
  if (!Array.isArray(rules)) throw new RulesError(where, `rules must be an array (got ${show(rules)})`);
  const checked = rules.map((rule, index) => checkRule(where, `rules[${index}]`, rule, version));
  const fallback = document.default;
  if (!isObject(fallback)) throw new RulesError(where, `default must be an object with fixed_target and rate (got ${show(fallback)})`);
  checkKeys(where, 'default', fallback, DEFAULT_KEYS);
  checkTarget(where, 'default', fallback);
  return { rules: checked, default: { fixed_target: fallback.fixed_target as number, rate: fallback.rate as number } };
}

/** The rules document given inline, or read from the JSON file at the given path. */
export function loadRulesDocument(source: XRaySamplingRules | string): LocalRulesDocument {
  if (typeof source !== 'string') return checkRulesDocument(source);
  const where = `sampling rules file ${source}`;
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    throw new RulesError(where, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new RulesError(where, `is not valid JSON (${(error as Error).message})`);
  }
  return checkRulesDocument(document, where);
}
