import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import zh from '../../src/i18n/locales/zh-CN.js'
import en from '../../src/i18n/locales/en.js'

// Every error code the server can send has a readable text in both languages: the codes are read
// from the server's sources (ErrcName in src/base/result.cpp and literal codes in src/api/*.cpp).
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src')
function serverCodes() {
  const codes = new Set()
  const result = readFileSync(join(SRC, 'base/result.cpp'), 'utf8')
  for (const m of result.matchAll(/return "([a-z_]+)";/g)) codes.add(m[1])
  for (const f of readdirSync(join(SRC, 'api')).filter((f) => f.endsWith('.cpp'))) {
    const text = readFileSync(join(SRC, 'api', f), 'utf8')
    for (const m of text.matchAll(/\{"code", "([a-z_]+)"\}/g)) codes.add(m[1])
  }
  return [...codes].sort()
}

describe('server error codes', () => {
  it('are found in the sources', () => {
    const codes = serverCodes()
    expect(codes).toContain('not_found')
    expect(codes).toContain('invalid_argument')
    expect(codes.length).toBeGreaterThan(8)
  })
  it('each has a zh-CN and an English text', () => {
    const missing = serverCodes().filter((c) => !zh.errors.codes[c] || !en.errors.codes[c])
    expect(missing).toEqual([])
  })
})
