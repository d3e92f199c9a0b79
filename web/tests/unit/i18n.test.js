import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import zhCN from '../../src/i18n/locales/zh-CN.js'
import en from '../../src/i18n/locales/en.js'

function flatten(obj, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v && typeof v === 'object') flatten(v, key, out)
    else out[key] = v
  }
  return out
}
const zh = flatten(zhCN)
const enFlat = flatten(en)
const params = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '../../src')
function sources(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) return f === 'locales' ? [] : sources(p)
    return /\.(vue|js)$/.test(f) ? [p] : []
  })
}

describe('locales', () => {
  it('every zh-CN key exists in en', () => {
    expect(Object.keys(zh).filter((k) => !(k in enFlat))).toEqual([])
  })
  it('every en key exists in zh-CN', () => {
    expect(Object.keys(enFlat).filter((k) => !(k in zh))).toEqual([])
  })
  it('no message is empty', () => {
    expect(Object.entries(zh).filter(([, v]) => !String(v).trim())).toEqual([])
    expect(Object.entries(enFlat).filter(([, v]) => !String(v).trim())).toEqual([])
  })
  it('both languages use the same {placeholders}', () => {
    const diff = Object.keys(zh).filter((k) => k in enFlat && params(zh[k]).join() !== params(enFlat[k]).join())
    expect(diff).toEqual([])
  })
  it('messages avoid characters vue-i18n treats as syntax (@ and |)', () => {
    const bad = Object.entries({ ...zh, ...enFlat }).filter(([, v]) => /[@|]/.test(String(v)))
    expect(bad).toEqual([])
  })
  it('the operators’ terms are there in Chinese', () => {
    const all = Object.values(zh).join('\n')
    for (const term of ['值班', '交接班', '值班记录', '排班表', '班组', '岗位', '人员', '证书', '部门', '站点/场所', '审计日志', '即将上线', '五交', '五不接']) {
      expect(all, term).toContain(term)
    }
  })
  it('every literal key used in the source exists', () => {
    const missing = []
    let found = 0
    for (const file of sources(srcDir)) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\$?\bt\(\s*'([a-zA-Z][\w.]*)'/g)) {
        found++
        if (!(m[1] in zh)) missing.push(`${file}: ${m[1]}`)
      }
      for (const m of text.matchAll(/(?:label|title|group|desc|createTitle):\s*'([a-z][\w]*\.[\w.]+)'/g)) if (!(m[1] in zh)) missing.push(`${file}: ${m[1]}`)
    }
    expect(missing).toEqual([])
    expect(found).toBeGreaterThan(100) // the scan really saw the templates
  })
})
