import { describe, expect, it } from 'vitest'
import { parsePoints, roomsOf } from '../../src/lib/devices.js'

describe('parsePoints', () => {
  it('reads one "id = name" per line, full-width = too, skipping blank lines', () => {
    expect(parsePoints('D-01 = 中控室\n\n  D-02＝消防控制室  \r\nch-07=中控室 7 号摄像机')).toEqual({
      'D-01': '中控室', 'D-02': '消防控制室', 'ch-07': '中控室 7 号摄像机',
    })
  })
  it('maps a bare id to itself and ignores a line without an id', () => {
    expect(parsePoints('D-09\n= 无编号')).toEqual({ 'D-09': 'D-09' })
    expect(parsePoints('')).toEqual({})
  })
})

describe('roomsOf', () => {
  const rooms = [{ id: 7, place: '职工休息楼' }, { id: 8, place: '员工休息室' }]
  it('keeps the rooms chosen for doors still listed, in the place behind the door', () => {
    const points = { 'B-01': '职工休息楼', 'B-02': '职工休息楼', 'D-01': '中控室' }
    expect(roomsOf(points, { 'B-01': 7, 'B-02': null, 'D-01': 7, 'X-9': 7 }, rooms)).toEqual({ 'B-01': 7 })
    expect(roomsOf(points, { 'B-01': 8 }, rooms)).toEqual({})
    expect(roomsOf({}, undefined, undefined)).toEqual({})
  })
})
