import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createI18n } from 'vue-i18n'
import { ApiError, errorFromResponse, errorMessage, isChineseText } from '../../src/api/client.js'
import zh from '../../src/i18n/locales/zh-CN.js'
import en from '../../src/i18n/locales/en.js'

// Issue 17 §7: every refusal's stable reason has zh-CN and English text, every field the server
// names has a zh-CN label, and a zh-CN reader never meets the server's English.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) return files(p)
    return /\.(cpp|hpp)$/.test(f) && !/_test\.cpp$/.test(f) ? [p] : []
  })
}

// The reasons the server can send, read from its sources: Reason{"…"} (and the literals of a
// conditional inside one), the generic kRequired/kInvalid, the reason member of an Error{…}
// aggregate, Unauthenticated(message, reason) and {"reason", "…"} in a hand-built body.
export function serverReasons() {
  const reasons = new Set()
  const result = readFileSync(join(ROOT, 'src/base/result.hpp'), 'utf8')
  for (const m of result.matchAll(/inline constexpr Reason k\w+\{"([a-z_.]+)"\}/g)) reasons.add(m[1])
  for (const f of files(join(ROOT, 'src'))) {
    const text = readFileSync(f, 'utf8')
    for (const m of text.matchAll(/Reason\{([^{}]*)\}/g)) {
      const literals = [...m[1].matchAll(/"([a-z_.]+)"/g)].map((x) => x[1])
      // Reason{"x"}, or a conditional between dotted names (its operands are not reasons).
      for (const r of literals.length === 1 ? literals : literals.filter((x) => x.includes('.'))) reasons.add(r)
    }
    for (const m of text.matchAll(/Unauthenticated\("[^"]*",\s*"([a-z_.]+)"\)/g)) reasons.add(m[1])
    for (const m of text.matchAll(/\{"reason", "([a-z_.]+)"\}/g)) reasons.add(m[1])
    // {code, message, field, reason}: a fourth member after the field (a literal, maybe empty).
    for (const m of text.matchAll(/(?:Error\{|ErrorResponse\(\{|ErrorBody\(\{)\s*Errc::k\w+,[^{}]*?, "[a-z_.]*", "([a-z_]+(?:\.[a-z_]+)?)"\}/gs)) reasons.add(m[1])
  }
  reasons.delete('')
  return [...reasons].sort()
}

const get = (obj, path) => path.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj)

function i18nFor(locale) {
  const i = createI18n({ legacy: false, locale, fallbackLocale: 'zh-CN', messages: { 'zh-CN': zh, en } })
  return { t: i.global.t, te: i.global.te }
}

describe('error reasons', () => {
  const reasons = serverReasons()
  it('are found in the sources', () => {
    for (const r of ['required', 'invalid', 'auth.wrong_password', 'handover.outgoing_signs_first', 'procedure.guard_refused', 'roster.staffing_rules']) expect(reasons).toContain(r)
  })
  it('each has a zh-CN and an English text', () => {
    expect(reasons.filter((r) => typeof get(zh.errors.reasons, r) !== 'string')).toEqual([])
    expect(reasons.filter((r) => typeof get(en.errors.reasons, r) !== 'string')).toEqual([])
  })
  it('each zh-CN text is Chinese', () => {
    expect(reasons.filter((r) => !isChineseText(get(zh.errors.reasons, r)))).toEqual([])
  })
  it('each is in the catalogue of docs/api.md', () => {
    const doc = readFileSync(join(ROOT, 'docs/api.md'), 'utf8')
    expect(reasons.filter((r) => !doc.includes('`' + r + '`'))).toEqual([])
  })
})

describe('field labels', () => {
  // Fields the server names in a 400: JsonBody's accessors and the last argument of Fail(…, "f").
  function serverFields() {
    const fields = new Set()
    for (const f of files(join(ROOT, 'src'))) {
      if (f.includes('/kernel/policy/') || f.includes('/store/')) continue // pack files and SQL, not forms
      const text = readFileSync(f, 'utf8')
      for (const m of text.matchAll(/\.(?:Required|Optional)\w*\("([a-z_]+)"/g)) fields.add(m[1])
      for (const m of text.matchAll(/Fail\(Errc::kInvalidArgument,[^;]*?, "([a-z_]+(?:\.[a-z_]+)?)"\);/gs)) fields.add(m[1])
    }
    return [...fields].sort()
  }
  it('every field a form can meet has a zh-CN and an English label', () => {
    const key = (f) => f.replace(/\./g, '__')
    const missing = serverFields().filter((f) => !zh.fields[key(f)] || !en.fields[key(f)])
    expect(missing).toEqual([])
  })
})

describe('errorMessage in zh-CN', () => {
  const { t, te } = i18nFor('zh-CN')
  const refuse = (error, status = 409) => errorMessage(errorFromResponse(status, { error }), t, te)

  it('maps a reason to its own text and drops the English', () => {
    const text = refuse({ code: 'failed_precondition', reason: 'handover.outgoing_signs_first', message: 'the outgoing signs first (R12 §四: outgoing → incoming)' })
    expect(text).toBe('须交班人先签名，接班人再签名')
  })
  it('names the field in a generic reason', () => {
    expect(refuse({ code: 'invalid_argument', reason: 'required', message: 'site_id is required', field: 'site_id' }, 400)).toBe('请填写「站点/场所」')
    expect(refuse({ code: 'invalid_argument', reason: 'invalid', message: 'data.deadline must be …', field: 'data.deadline' }, 400)).toBe('「完成期限」的内容不符合要求')
  })
  it('uses the pack label the server quotes for a form item', () => {
    const text = refuse({ code: 'invalid_argument', reason: 'form.hard_limit', message: '「管网压力」cannot be below 0', field: 'answers.pressure' }, 400)
    expect(text).toBe('「管网压力」超出允许的极限值，不能提交')
  })
  it('falls back to the code text and the field label for an unmapped reason', () => {
    const text = refuse({ code: 'conflict', reason: 'something.new', message: 'a new refusal in English', field: 'post_id' })
    expect(text).toContain('与已有数据冲突')
    expect(text).toContain('岗位')
    expect(text).not.toMatch(/English/)
  })
  it('cites the clauses of a refusal', () => {
    const text = refuse({ code: 'permission_denied', reason: 'footage.copy_forbidden', message: 'R16 §一6：禁止复制 — copying is forbidden', clause: 'R16 §一6', clauses: ['R16 §一6'] }, 403)
    expect(text).toBe('制度禁止复制此录像（依据 R16 §一6） — 服务器说明: R16 §一6：禁止复制')
  })
  it('shows a Chinese server message, never an English one', () => {
    expect(refuse({ code: 'failed_precondition', message: '不符合申请条件：R12 §三(三) 须经部门负责人同意' })).toContain('服务器说明: 不符合申请条件')
    expect(refuse({ code: 'failed_precondition', message: 'the outgoing signs first (R12 §四)' })).not.toContain('服务器说明')
    expect(refuse({ code: 'permission_denied', reason: 'auth.signature_password', message: '签名失败：密码不正确 (the signature was not made)' }, 403)).toBe('签名失败：密码不正确')
  })
  it('never shows an English phrase for any reason', () => {
    for (const r of serverReasons()) {
      const text = refuse({ code: 'invalid_argument', reason: r, message: 'an English sentence from the server', field: 'answers.x' }, 400)
      expect(isChineseText(text), `${r}: ${text}`).toBe(true)
    }
  })
})

describe('errorMessage in English', () => {
  const { t, te } = i18nFor('en')
  it('shows the reason text and the server words', () => {
    const err = new ApiError({ status: 401, code: 'unauthenticated', reason: 'auth.wrong_password', message: 'wrong username or password' })
    expect(errorMessage(err, t, te)).toBe('Wrong username or password — server says: wrong username or password')
  })
})

describe('isChineseText', () => {
  it('accepts Chinese with ids and clause numbers, refuses English phrases', () => {
    expect(isChineseText('「管网压力」超出允许的极限值')).toBe(true)
    expect(isChineseText('服务器返回错误（代码 teapot，HTTP 418）')).toBe(true)
    expect(isChineseText('the outgoing signs first')).toBe(false)
    expect(isChineseText('当前状态不允许此操作 — the outgoing signs first')).toBe(false)
  })
})

describe('chineseParts', () => {
  it('keeps the pack\'s Chinese and drops the English around it', async () => {
    const { chineseParts } = await import('../../src/api/client.js')
    expect(chineseParts('R16 §一6：任何人员无权拷贝中控室录像 — footage segment 3 may not be copied')).toEqual(['R16 §一6：任何人员无权拷贝中控室录像'])
    expect(chineseParts('签名失败：密码不正确 (the signature was not made)')).toEqual(['签名失败：密码不正确'])
    expect(chineseParts('R12 §三(三)：未经批准不得进入机房 — there is no request 5 at this site')).toEqual(['R12 §三(三)：未经批准不得进入机房'])
    expect(chineseParts('wrong username or password')).toEqual([])
  })
})

describe('refLabel', () => {
  it('says a reference by its kind and number, never its path', async () => {
    const { refLabel } = await import('../../src/lib/records.js')
    const { t, te } = i18nFor('zh-CN')
    expect(refLabel('log/2', t, te)).toBe('值班记录 2 号')
    expect(refLabel('api/v1/repairs/1', t, te)).toBe('报修单 1 号')
    expect(refLabel('alarm-point/3', t, te)).toBe('报警点 3 号')
    expect(refLabel('widget/9', t, te)).toBe('记录 9 号')
    expect(refLabel('', t, te)).toBe('')
  })
})
