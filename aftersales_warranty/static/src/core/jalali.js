import { user } from "@web/core/user";

const { DateTime } = luxon;

/**
 * Solar Hijri (Jalali) calendar for the web client.
 *
 * The conversions port jdatetime's `jalali_core` (FarsiWeb's jalali.c: 33-year cycles), which the
 * Python side of the addons uses, so that a date picked in the browser and a date computed by the
 * server always agree. Python's floor division and modulo are kept for dates before 1600.
 */

const G_DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const J_DAYS_IN_MONTH = [31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, 29];
const LEAP_REMAINDERS = [1, 5, 9, 13, 17, 22, 26, 30];

// Calendar data of the Persian locale (like a locale's month names, not interface text): shown only
// to users whose language is Persian.
export const JALALI_MONTH_NAMES = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];
// From Saturday, the first day of the week in Iran.
export const JALALI_WEEKDAY_NAMES = [
    "شنبه",
    "یکشنبه",
    "دوشنبه",
    "سه‌شنبه",
    "چهارشنبه",
    "پنجشنبه",
    "جمعه",
];
export const JALALI_WEEKDAY_NARROW = ["ش", "ی", "د", "س", "چ", "پ", "ج"];

/** Jalali years a user may type or pick (Gregorian 1621 to 2621). */
export const JALALI_MIN_YEAR = 1000;
export const JALALI_MAX_YEAR = 1999;

const PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";
const ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩";

const div = (a, b) => Math.floor(a / b);
const mod = (a, b) => a - b * Math.floor(a / b);

/**
 * @param {number} year Jalali year
 * @returns {boolean}
 */
export function isJalaliLeapYear(year) {
    return LEAP_REMAINDERS.includes(mod(year, 33));
}

/**
 * @param {number} year Jalali year
 * @param {number} month 1 (Farvardin) to 12 (Esfand)
 * @returns {number}
 */
export function jalaliMonthLength(year, month) {
    if (month === 12 && isJalaliLeapYear(year)) {
        return 30;
    }
    return J_DAYS_IN_MONTH[month - 1];
}

/**
 * @param {number} gy
 * @param {number} gm 1-12
 * @param {number} gd
 * @returns {{ year: number, month: number, day: number }} the Jalali date
 */
export function gregorianToJalali(gy, gm, gd) {
    const y = gy - 1600;
    const m = gm - 1;
    let dayNo = 365 * y + div(y + 3, 4) - div(y + 99, 100) + div(y + 399, 400) + gd - 1 - 79;
    for (let i = 0; i < m; i++) {
        dayNo += G_DAYS_IN_MONTH[i];
    }
    if (m > 1 && ((mod(y, 4) === 0 && mod(y, 100) !== 0) || mod(y, 400) === 0)) {
        dayNo += 1; // leap year, after February
    }
    const cycles = div(dayNo, 12053);
    dayNo = mod(dayNo, 12053);
    let year = 979 + 33 * cycles + 4 * div(dayNo, 1461);
    dayNo = mod(dayNo, 1461);
    if (dayNo >= 366) {
        dayNo -= 1;
        year += div(dayNo, 365);
        dayNo = mod(dayNo, 365);
    }
    let month = 12;
    for (let i = 0; i < 11; i++) {
        if (dayNo < J_DAYS_IN_MONTH[i]) {
            month = i + 1;
            break;
        }
        dayNo -= J_DAYS_IN_MONTH[i];
    }
    return { year, month, day: dayNo + 1 };
}

/**
 * @param {number} jy
 * @param {number} jm 1-12
 * @param {number} jd
 * @returns {{ year: number, month: number, day: number }} the Gregorian date
 */
export function jalaliToGregorian(jy, jm, jd) {
    const y = jy - 979;
    let dayNo = 365 * y + div(y, 33) * 8 + div(mod(y, 33) + 3, 4) + jd - 1 + 79;
    for (let i = 0; i < jm - 1; i++) {
        dayNo += J_DAYS_IN_MONTH[i];
    }
    let year = 1600 + 400 * div(dayNo, 146097);
    dayNo = mod(dayNo, 146097);
    let leap = 1;
    if (dayNo >= 36525) {
        dayNo -= 1;
        year += 100 * div(dayNo, 36524);
        dayNo = mod(dayNo, 36524);
        if (dayNo >= 365) {
            dayNo += 1;
        } else {
            leap = 0;
        }
    }
    year += 4 * div(dayNo, 1461);
    dayNo = mod(dayNo, 1461);
    if (dayNo >= 366) {
        leap = 0;
        dayNo -= 1;
        year += div(dayNo, 365);
        dayNo = mod(dayNo, 365);
    }
    let i = 0;
    while (dayNo >= G_DAYS_IN_MONTH[i] + (i === 1 ? leap : 0)) {
        dayNo -= G_DAYS_IN_MONTH[i] + (i === 1 ? leap : 0);
        i++;
    }
    return { year, month: i + 1, day: dayNo + 1 };
}

/**
 * @param {DateTime} value
 * @returns {{ year: number, month: number, day: number }} the Jalali date of the value's day
 *  (in the value's own zone, as Odoo's widgets show it)
 */
export function toJalali(value) {
    return gregorianToJalali(value.year, value.month, value.day);
}

/**
 * @param {number} jy
 * @param {number} jm
 * @param {number} jd
 * @param {{ hour?: number, minute?: number, second?: number }} [time]
 * @returns {DateTime} the local moment of that Jalali day (and time)
 */
export function fromJalali(jy, jm, jd, { hour = 0, minute = 0, second = 0 } = {}) {
    const { year, month, day } = jalaliToGregorian(jy, jm, jd);
    return DateTime.local(year, month, day, hour, minute, second);
}

/**
 * @param {number} year
 * @param {number} month
 * @param {number} day
 * @returns {boolean} whether it is an existing Jalali day of the supported years
 */
export function isValidJalaliDate(year, month, day) {
    return (
        Number.isInteger(year) &&
        year >= JALALI_MIN_YEAR &&
        year <= JALALI_MAX_YEAR &&
        month >= 1 &&
        month <= 12 &&
        day >= 1 &&
        day <= jalaliMonthLength(year, month)
    );
}

/**
 * @param {string | number} text
 * @returns {string} the text with Persian digits
 */
export function toPersianDigits(text) {
    return String(text).replace(/[0-9]/g, (digit) => PERSIAN_DIGITS[digit]);
}

/**
 * @param {string} text
 * @returns {string} the text with Latin digits (from Persian or Arabic-Indic ones)
 */
export function toLatinDigits(text) {
    return String(text)
        .replace(/[۰-۹]/g, (digit) => String(PERSIAN_DIGITS.indexOf(digit)))
        .replace(/[٠-٩]/g, (digit) => String(ARABIC_DIGITS.indexOf(digit)));
}

const pad = (number) => String(number).padStart(2, "0");

/**
 * Formats a date or datetime in the Solar Hijri calendar with Persian digits.
 *
 * @param {DateTime | false | null} value
 * @param {Object} [options]
 * @param {"date" | "datetime"} [options.type="date"]
 * @param {boolean} [options.long=false] day, month name and year (e.g. ۱۰ آذر ۱۴۰۵)
 *  instead of ۱۴۰۵/۰۹/۱۰
 * @param {boolean} [options.showTime=true] datetimes only
 * @param {boolean} [options.showSeconds=false] datetimes only
 * @returns {string}
 */
export function formatJalali(value, options = {}) {
    if (!value || !value.isValid) {
        return "";
    }
    const { type = "date", long = false, showTime = true, showSeconds = false } = options;
    const { year, month, day } = toJalali(value);
    let text = long
        ? `${day} ${JALALI_MONTH_NAMES[month - 1]} ${year}`
        : `${year}/${pad(month)}/${pad(day)}`;
    if (type === "datetime" && showTime) {
        text += ` ${pad(value.hour)}:${pad(value.minute)}`;
        if (showSeconds) {
            text += `:${pad(value.second)}`;
        }
    }
    return toPersianDigits(text);
}

const FULL_DATE_RE =
    /^(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:[\sT]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$/;
const SHORT_DATE_RE = /^(\d{1,2})\s*[/\-.]\s*(\d{1,2})$/;

/**
 * Parses a typed Solar Hijri date: `yyyy/mm/dd` (or `-`, `.` as separators), with an optional
 * `hh:mm[:ss]` time, or `mm/dd` in the current Jalali year; Persian, Arabic-Indic or Latin digits.
 *
 * @param {string} text
 * @param {Object} [options]
 * @param {"date" | "datetime"} [options.type="date"]
 * @param {DateTime | false | null} [options.reference] its time is kept when none is typed
 * @returns {DateTime | false | null} false for an empty text, null for an invalid one
 */
export function parseJalali(text, options = {}) {
    const { type = "date", reference = null } = options;
    const normalized = toLatinDigits(text || "")
        .replace(/[\u200c\u200e\u200f]/g, "")
        .trim();
    if (!normalized) {
        return false;
    }
    let year, month, day;
    let time = null;
    let match = normalized.match(FULL_DATE_RE);
    if (match) {
        [year, month, day] = match.slice(1, 4).map(Number);
        if (match[4] !== undefined) {
            time = {
                hour: Number(match[4]),
                minute: Number(match[5]),
                second: Number(match[6] || 0),
            };
        }
    } else {
        match = normalized.match(SHORT_DATE_RE);
        if (!match) {
            return null;
        }
        year = toJalali(DateTime.local()).year;
        [month, day] = match.slice(1, 3).map(Number);
    }
    if (!isValidJalaliDate(year, month, day)) {
        return null;
    }
    if (type !== "datetime") {
        return fromJalali(year, month, day);
    }
    if (!time) {
        time = reference
            ? { hour: reference.hour, minute: reference.minute, second: reference.second }
            : {};
    } else if (time.hour > 23 || time.minute > 59 || time.second > 59) {
        return null;
    }
    return fromJalali(year, month, day, time);
}

/**
 * @returns {boolean} whether the current user reads dates in the Solar Hijri calendar
 *  (their language is Persian)
 */
export function isJalaliUser() {
    return (user.lang || "").toLowerCase().startsWith("fa");
}

/**
 * @param {DateTime} value
 * @returns {DateTime} the first day (at midnight) of the value's Jalali month
 */
export function jalaliMonthStart(value) {
    const { year, month } = toJalali(value);
    return fromJalali(year, month, 1).setZone(value.zone, { keepLocalTime: true });
}

/**
 * @param {DateTime} value
 * @param {number} months how many Jalali months to move (negative: back)
 * @returns {DateTime} the first day (at midnight) of the Jalali month that many months away
 */
export function plusJalaliMonths(value, months) {
    const { year, month } = toJalali(value);
    const index = year * 12 + (month - 1) + months;
    return fromJalali(div(index, 12), mod(index, 12) + 1, 1).setZone(value.zone, {
        keepLocalTime: true,
    });
}

/**
 * @param {DateTime} value
 * @returns {string} the value's Jalali month and year, e.g. آذر ۱۴۰۵
 */
export function formatJalaliMonth(value) {
    const { year, month } = toJalali(value);
    return toPersianDigits(`${JALALI_MONTH_NAMES[month - 1]} ${year}`);
}

/**
 * Week of the Jalali year: the first week is the one of 1 Farvardin, weeks start on
 * `firstDayOfWeek` (luxon's numbering, Saturday = 6 in Iran).
 *
 * @param {DateTime} value
 * @param {number} [firstDayOfWeek=6]
 * @returns {number}
 */
export function jalaliWeekNumber(value, firstDayOfWeek = 6) {
    const { year } = toJalali(value);
    const nowruz = fromJalali(year, 1, 1);
    const day = DateTime.local(value.year, value.month, value.day);
    const dayOfYear = Math.round(day.diff(nowruz, "days").days);
    const offset = mod(nowruz.weekday - firstDayOfWeek, 7);
    return div(dayOfYear + offset, 7) + 1;
}
