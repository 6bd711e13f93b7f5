import { Component } from "@odoo/owl";
import { DateTimePicker } from "@web/core/datetime/datetime_picker";
import { patch } from "@web/core/utils/patch";
import { CalendarCommonPopover } from "@web/views/calendar/calendar_common/calendar_common_popover";
import { CalendarCommonRenderer } from "@web/views/calendar/calendar_common/calendar_common_renderer";
import { CalendarController } from "@web/views/calendar/calendar_controller";
import { CalendarModel } from "@web/views/calendar/calendar_model";
import { CalendarSidePanel } from "@web/views/calendar/calendar_side_panel/calendar_side_panel";
import { CalendarYearPopover } from "@web/views/calendar/calendar_year/calendar_year_popover";
import { CalendarYearRenderer } from "@web/views/calendar/calendar_year/calendar_year_renderer";
import {
    JALALI_MONTH_NAMES,
    formatJalali,
    formatJalaliMonth,
    fromJalali,
    isJalaliUser,
    jalaliMonthLength,
    jalaliMonthStart,
    jalaliWeekNumber,
    plusJalaliMonths,
    toJalali,
    toPersianDigits,
} from "../core/jalali";
import { JalaliDatePicker } from "../fields/jalali_date_picker";

const { DateTime } = luxon;

/**
 * Every calendar view (Odoo's calendar.event and ours) in the Solar Hijri calendar for a Persian
 * user: titles, day numbers, week numbers, the month grid (a Jalali month, not a Gregorian one),
 * the year (twelve Jalali months), previous/next, popovers and the side panel's date picker.
 *
 * Without it, luxon with the fa-IR locale takes month names from Intl's Persian calendar and years
 * and days from the Gregorian one ("آذر 2026", days 28 ... 4). Other users keep Odoo's calendar.
 */

const JALALI_MONTH_VIEW = "dayGridJalaliMonth";

/**
 * @param {Date} date a day cell's date given by FullCalendar
 * @returns {DateTime} that day: FullCalendar gives midnight of the user's zone for timed grids,
 *  and midnight UTC for some all-day cells (as Odoo's own renderer notes)
 */
function cellDay(date) {
    const local = DateTime.fromJSDate(date);
    if (local.hour === 0 && local.minute === 0) {
        return local;
    }
    const utc = local.toUTC();
    return utc.hour === 0 && utc.minute === 0
        ? DateTime.local(utc.year, utc.month, utc.day)
        : local;
}

/** The weekday of `value` as a 0-6 offset from the week's first day (luxon's numbering). */
function weekOffset(value, firstDayOfWeek) {
    return (((value.weekday - firstDayOfWeek) % 7) + 7) % 7;
}

/**
 * The FullCalendar options of a grid of whole weeks showing one Jalali month.
 *
 * @param {DateTime} monthStart first day of the Jalali month
 * @param {number} firstDayOfWeek
 */
function jalaliMonthGridOptions(monthStart, firstDayOfWeek) {
    const { year, month } = toJalali(monthStart);
    const offset = weekOffset(monthStart, firstDayOfWeek);
    const weeks = Math.ceil((offset + jalaliMonthLength(year, month)) / 7);
    const isOther = (date) => {
        const day = toJalali(cellDay(date));
        return day.year !== year || day.month !== month;
    };
    return {
        views: { [JALALI_MONTH_VIEW]: { type: "dayGrid", duration: { weeks } } },
        initialView: JALALI_MONTH_VIEW,
        initialDate: monthStart.minus({ days: offset }).toISODate(),
        isOther,
    };
}

/** @param {Date} date */
function jalaliDayNumber(date) {
    return toPersianDigits(toJalali(cellDay(date)).day);
}

// ---------------------------------------------------------------------------
// Model: a month is a Jalali month, a year a Jalali year
// ---------------------------------------------------------------------------

patch(CalendarModel.prototype, {
    computeRange() {
        const { scale, date, firstDayOfWeek } = this.meta;
        if (!isJalaliUser() || !["month", "year"].includes(scale)) {
            return super.computeRange(...arguments);
        }
        let start;
        let end;
        if (scale === "year") {
            const { year } = toJalali(date);
            start = fromJalali(year, 1, 1);
            end = fromJalali(year + 1, 1, 1).minus({ days: 1 });
        } else {
            start = jalaliMonthStart(date);
            const { year, month } = toJalali(start);
            const length = jalaliMonthLength(year, month);
            end = start.plus({ days: length - 1 });
            if (this.monthOverflow) {
                const offset = weekOffset(start, firstDayOfWeek);
                start = start.minus({ days: offset });
                end = start.plus({ weeks: Math.ceil((offset + length) / 7), days: -1 });
            }
        }
        return { start: start.startOf("day"), end: end.endOf("day") };
    },
});

// ---------------------------------------------------------------------------
// Controller: the titles above the calendar, previous/next
// ---------------------------------------------------------------------------

patch(CalendarController.prototype, {
    get currentDate() {
        const scale = this.model.meta.scale;
        if (!isJalaliUser() || !this.env.isSmall || !["week", "month"].includes(scale)) {
            return super.currentDate;
        }
        const date = this.model.meta.date || DateTime.now();
        if (scale === "week") {
            return ` - ${this.jalaliRangeTitle(this.model.rangeStart, this.model.rangeEnd)}`;
        }
        return ` - ${formatJalaliMonth(date)}`;
    },
    get today() {
        return isJalaliUser() ? toPersianDigits(toJalali(DateTime.now()).day) : super.today;
    },
    get currentYear() {
        return isJalaliUser() ? toPersianDigits(toJalali(this.date).year) : super.currentYear;
    },
    get dayHeader() {
        return isJalaliUser() ? formatJalali(this.date, { long: true }) : super.dayHeader;
    },
    get weekHeader() {
        if (!isJalaliUser()) {
            return super.weekHeader;
        }
        return this.jalaliRangeTitle(this.model.rangeStart, this.model.rangeEnd);
    },
    get currentMonth() {
        return isJalaliUser() ? formatJalaliMonth(this.date) : super.currentMonth;
    },
    get currentWeek() {
        if (!isJalaliUser()) {
            return super.currentWeek;
        }
        return toPersianDigits(
            jalaliWeekNumber(this.model.rangeStart, this.model.meta.firstDayOfWeek)
        );
    },
    /**
     * @param {DateTime} start
     * @param {DateTime} end
     * @returns {string} e.g. آذر ۱۴۰۵, آبان - آذر ۱۴۰۵ or اسفند ۱۴۰۴ - فروردین ۱۴۰۵
     */
    jalaliRangeTitle(start, end) {
        const first = toJalali(start);
        const last = toJalali(end);
        if (first.year !== last.year) {
            return `${formatJalaliMonth(start)} - ${formatJalaliMonth(end)}`;
        }
        if (first.month !== last.month) {
            return toPersianDigits(
                `${JALALI_MONTH_NAMES[first.month - 1]} - ${JALALI_MONTH_NAMES[last.month - 1]} ${
                    first.year
                }`
            );
        }
        return formatJalaliMonth(start);
    },
    async setDate(move) {
        const scale = this.model.scale;
        if (!isJalaliUser() || !["next", "previous"].includes(move)) {
            return super.setDate(...arguments);
        }
        const step = move === "next" ? 1 : -1;
        if (scale === "month") {
            return this.model.load({ date: plusJalaliMonths(this.model.date, step) });
        }
        if (scale === "year") {
            return this.model.load({ date: plusJalaliMonths(this.model.date, 12 * step) });
        }
        return super.setDate(...arguments);
    },
});

// ---------------------------------------------------------------------------
// Day, week and month grids
// ---------------------------------------------------------------------------

patch(CalendarCommonRenderer.prototype, {
    get options() {
        const options = super.options;
        if (!isJalaliUser()) {
            return options;
        }
        const model = this.props.model;
        options.weekNumberCalculation = (date) =>
            jalaliWeekNumber(cellDay(date), model.firstDayOfWeek);
        options.weekNumberContent = ({ num, text }) =>
            text.replace(String(num), toPersianDigits(num));
        options.dayCellContent = ({ date }) => ({ html: jalaliDayNumber(date) });
        if (model.scale === "month") {
            const { isOther, ...gridOptions } = jalaliMonthGridOptions(
                jalaliMonthStart(model.date),
                model.firstDayOfWeek
            );
            Object.assign(options, gridOptions);
            const classNames = options.dayCellClassNames;
            options.dayCellClassNames = (info) => {
                const names = [...classNames.call(this, info)];
                if (isOther(info.date)) {
                    names.push("fc-day-other");
                }
                return names;
            };
            if (!model.monthOverflow) {
                options.dayCellContent = ({ date }) => ({
                    html: isOther(date) ? "" : jalaliDayNumber(date),
                });
            }
        }
        return options;
    },
    headerTemplateProps(date) {
        const props = super.headerTemplateProps(...arguments);
        if (isJalaliUser()) {
            const day = DateTime.fromJSDate(date, props.scale === "month" ? { zone: "UTC" } : {});
            props.day = toPersianDigits(toJalali(day).day);
        }
        return props;
    },
});

// ---------------------------------------------------------------------------
// Year: twelve Jalali months
// ---------------------------------------------------------------------------

patch(CalendarYearRenderer.prototype, {
    getOptionsForMonth(month) {
        const options = super.getOptionsForMonth(...arguments);
        if (!isJalaliUser()) {
            return options;
        }
        const model = this.props.model;
        const { year } = toJalali(model.date);
        const monthStart = fromJalali(year, this.months.indexOf(month) + 1, 1);
        const { isOther, ...gridOptions } = jalaliMonthGridOptions(
            monthStart,
            model.firstDayOfWeek
        );
        const classNames = options.dayCellClassNames;
        return {
            ...options,
            ...gridOptions,
            titleFormat: () => formatJalaliMonth(monthStart),
            weekNumberCalculation: (date) => jalaliWeekNumber(cellDay(date), model.firstDayOfWeek),
            dayCellClassNames: (info) => {
                const names = [...classNames.call(this, info)];
                if (isOther(info.date)) {
                    names.push("fc-day-other", "o_aftersales_jalali_other");
                }
                return names;
            },
            dayCellContent: ({ date }) => ({ html: isOther(date) ? "" : jalaliDayNumber(date) }),
        };
    },
});

// ---------------------------------------------------------------------------
// Popovers
// ---------------------------------------------------------------------------

patch(CalendarCommonPopover.prototype, {
    computeDateTimeAndDuration() {
        super.computeDateTimeAndDuration(...arguments);
        if (isJalaliUser() && this.date) {
            const { start, end } = this.props.record;
            this.date = start.hasSame(end, "day")
                ? formatJalali(start, { long: true })
                : `${formatJalali(start, { long: true })} - ${formatJalali(end, { long: true })}`;
        }
    },
});

patch(CalendarYearPopover.prototype, {
    get dialogTitle() {
        return isJalaliUser() ? formatJalali(this.props.date, { long: true }) : super.dialogTitle;
    },
});

// ---------------------------------------------------------------------------
// The side panel's date picker
// ---------------------------------------------------------------------------

/** Odoo's date picker, or the Solar Hijri one for a Persian user (same props, inline). */
export class CalendarSidePanelDatePicker extends Component {
    static template = "aftersales_warranty.CalendarSidePanelDatePicker";
    static components = { DateTimePicker, JalaliDatePicker };
    static props = ["*"];

    get isJalali() {
        return isJalaliUser();
    }

    get jalaliKey() {
        return this.props.value ? this.props.value.toISODate() : "none";
    }

    onJalaliSelect(value) {
        if (value) {
            this.props.onSelect(value);
        }
    }
}

patch(CalendarSidePanel, {
    components: { ...CalendarSidePanel.components, DatePicker: CalendarSidePanelDatePicker },
});
