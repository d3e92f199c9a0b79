import { describe, expect, it } from 'vitest'
import { clauseCoverage, filterByCoverage, ruleStatus, subtreeCoverage } from '../../src/lib/policy.js'

// A small regulation: §一 has two leaves (one executable, one conduct-only), §二 one uncovered leaf,
// §三 one leaf cited by an assessment (recorded, not enforced) and a conduct rule.
const exe = { kind: 'duty', id: 'd', executable: true, status: 'executed' }
const conduct = { kind: 'conduct', id: 'c', executable: false, status: 'citable' }
const recorded = { kind: 'assessment', id: 'a', executable: false, status: 'recorded' }
const clauses = [
  { id: 'R9 §一', parent: null, leaf: false, rules: [] },
  { id: 'R9 §一1', parent: 'R9 §一', leaf: true, rules: [conduct, exe] },
  { id: 'R9 §一2', parent: 'R9 §一', leaf: true, rules: [conduct] },
  { id: 'R9 §二', parent: null, leaf: false, rules: [exe] },
  { id: 'R9 §二1', parent: 'R9 §二', leaf: true, rules: [] },
  { id: 'R9 §三', parent: null, leaf: false, rules: [] },
  { id: 'R9 §三1', parent: 'R9 §三', leaf: true, rules: [conduct, recorded] },
]

describe('clause coverage', () => {
  it('classifies a leaf as the server counts it', () => {
    expect(clauseCoverage(clauses[1])).toBe('executable')
    expect(clauseCoverage(clauses[2])).toBe('citable')
    expect(clauseCoverage(clauses[4])).toBe('missing')
    expect(clauseCoverage({})).toBe('missing')
    expect(clauseCoverage(clauses[6])).toBe('recorded')
  })
  it('reads a rule’s status, or derives it from an older server’s executable flag', () => {
    expect(ruleStatus(recorded)).toBe('recorded')
    expect(ruleStatus({ kind: 'record', executable: false })).toBe('recorded')
    expect(ruleStatus({ kind: 'conduct', executable: false })).toBe('citable')
    expect(ruleStatus({ kind: 'duty', executable: true })).toBe('executed')
  })
  it('sums the leaves under each heading, not the heading’s own rules', () => {
    const cov = subtreeCoverage(clauses)
    expect(cov.get('R9 §一')).toEqual({ executable: 1, recorded: 0, citable: 1, missing: 0 })
    expect(cov.get('R9 §二')).toEqual({ executable: 0, recorded: 0, citable: 0, missing: 1 })
    expect(cov.get('R9 §一2')).toEqual({ executable: 0, recorded: 0, citable: 1, missing: 0 })
    expect(cov.get('R9 §三')).toEqual({ executable: 0, recorded: 1, citable: 0, missing: 0 })
  })
  it('filters by coverage keeping the ancestors', () => {
    expect(filterByCoverage(clauses, 'missing').map((c) => c.id)).toEqual(['R9 §二', 'R9 §二1'])
    expect(filterByCoverage(clauses, 'citable').map((c) => c.id)).toEqual(['R9 §一', 'R9 §一2'])
    expect(filterByCoverage(clauses, 'recorded').map((c) => c.id)).toEqual(['R9 §三', 'R9 §三1'])
    expect(filterByCoverage(clauses, '').length).toBe(7)
  })
})
