// Steps that several end-to-end files take the same way.

const option = (page, text) => page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()

// Fills the open 登记违规 form of 违规台账: the person (by name), the code, one cited clause, a note.
export async function fillViolationForm(page, { person, code, clause, note }) {
  await page.getByTestId('rec-person').click()
  await option(page, person).click()
  await page.getByTestId('rec-code').fill(code)
  await page.getByTestId('rec-clauses').click()
  await page.keyboard.type(clause)
  await page.keyboard.press('Enter')
  await page.keyboard.press('Escape')
  await page.getByTestId('rec-note').fill(note)
}
