import { Component, useState } from "@odoo/owl";
import { useHotkey } from "@web/core/hotkeys/hotkey_hook";
import { localization } from "@web/core/l10n/localization";
import { _t } from "@web/core/l10n/translation";
import {
    JALALI_MAX_YEAR,
    JALALI_MIN_YEAR,
    JALALI_MONTH_NAMES,
    JALALI_WEEKDAY_NAMES,
    JALALI_WEEKDAY_NARROW,
    fromJalali,
    jalaliMonthLength,
    toJalali,
    toPersianDigits,
} from "../core/jalali";

const { DateTime } = luxon;

const SATURDAY = 6; // luxon: Monday = 1 ... Sunday = 7
const CELLS = 42; // six weeks, as Odoo's own picker
const YEARS_PER_PAGE = 10; // a decade, with a year before and after it, as Odoo's own picker

const pad = (number) => String(number).padStart(2, "0");

/**
 * A Solar Hijri date (and time) picker, shown in a popover: a month of days from Saturday, the
 * months of a year, or the years of a decade; previous/next buttons move by a month, a year or a
 * decade.
 * Every choice is given to `onSelect` as a luxon DateTime (Gregorian, in the user's zone).
 *
 * It looks like Odoo's own picker (same classes), so that themes style both alike.
 */
export class JalaliDatePicker extends Component {
    static template = "aftersales_warranty.JalaliDatePicker";
    static props = {
        close: Function, // given by the popover service
        value: { type: [DateTime, { value: false }, { value: null }], optional: true },
        type: { type: [{ value: "date" }, { value: "datetime" }], optional: true },
        rounding: { type: Number, optional: true },
        showSeconds: { type: Boolean, optional: true },
        onSelect: Function,
    };
    static defaultProps = {
        type: "date",
        rounding: 5,
        showSeconds: false,
    };

    setup() {
        const value = this.props.value && this.props.value.isValid ? this.props.value : null;
        const focus = toJalali(value || DateTime.local());
        this.state = useState({
            /** @type {"days" | "months" | "years"} */
            view: "days",
            year: focus.year,
            month: focus.month,
            value,
        });
        this.isRtl = localization.direction === "rtl";
        useHotkey("enter", () => this.props.close());
    }

    // ------------------------------------------------------------------
    // Getters
    // ------------------------------------------------------------------

    get title() {
        const { view, year, month } = this.state;
        if (view === "days") {
            return toPersianDigits(`${JALALI_MONTH_NAMES[month - 1]} ${year}`);
        }
        if (view === "months") {
            return toPersianDigits(year);
        }
        const first = this.firstYearOfPage;
        return toPersianDigits(`${first} - ${first + YEARS_PER_PAGE - 1}`);
    }

    get previousTitle() {
        return {
            days: _t("Previous month"),
            months: _t("Previous year"),
            years: _t("Previous decade"),
        }[this.state.view];
    }

    get nextTitle() {
        return {
            days: _t("Next month"),
            months: _t("Next year"),
            years: _t("Next decade"),
        }[this.state.view];
    }

    get zoomOutTitle() {
        return { days: _t("Select month"), months: _t("Select year"), years: "" }[this.state.view];
    }

    get previousIcon() {
        return this.isRtl ? "oi oi-chevron-right" : "oi oi-chevron-left";
    }

    get nextIcon() {
        return this.isRtl ? "oi oi-chevron-left" : "oi oi-chevron-right";
    }

    get selected() {
        return this.state.value ? toJalali(this.state.value) : null;
    }

    get today() {
        return toJalali(DateTime.local());
    }

    get weekdays() {
        return JALALI_WEEKDAY_NAMES.map((name, index) => ({
            name,
            narrow: JALALI_WEEKDAY_NARROW[index],
        }));
    }

    /** The days of the shown month, after blank cells up to its weekday, and blank cells after. */
    get dayCells() {
        const { year, month } = this.state;
        const firstDay = fromJalali(year, month, 1);
        const offset = (firstDay.weekday - SATURDAY + 7) % 7;
        const length = jalaliMonthLength(year, month);
        const { selected, today } = this;
        const isShown = (date) => date && date.year === year && date.month === month;
        const cells = [];
        for (let index = 0; index < CELLS; index++) {
            const day = index - offset + 1;
            if (day < 1 || day > length) {
                cells.push({ key: `blank-${index}`, day: 0 });
                continue;
            }
            cells.push({
                key: `day-${day}`,
                day,
                label: toPersianDigits(day),
                isSelected: isShown(selected) && selected.day === day,
                isToday: isShown(today) && today.day === day,
            });
        }
        return cells;
    }

    get monthCells() {
        const { year } = this.state;
        const { selected, today } = this;
        return JALALI_MONTH_NAMES.map((name, index) => ({
            month: index + 1,
            label: name,
            isSelected: selected?.year === year && selected.month === index + 1,
            isToday: today.year === year && today.month === index + 1,
        }));
    }

    get firstYearOfPage() {
        return Math.floor(this.state.year / YEARS_PER_PAGE) * YEARS_PER_PAGE;
    }

    get yearCells() {
        const first = this.firstYearOfPage;
        const { selected, today } = this;
        return [...Array(YEARS_PER_PAGE + 2).keys()].map((index) => {
            const year = first + index - 1;
            return {
                year,
                label: toPersianDigits(year),
                isOutOfRange: year < first || year >= first + YEARS_PER_PAGE,
                isValid: year >= JALALI_MIN_YEAR && year <= JALALI_MAX_YEAR,
                isSelected: selected?.year === year,
                isToday: today.year === year,
            };
        });
    }

    /** The time of the value; without one, the current hour (as Odoo's own picker). */
    get time() {
        const value = this.state.value;
        if (!value) {
            return { hour: DateTime.local().hour, minute: 0, second: 0 };
        }
        return { hour: value.hour, minute: value.minute, second: value.second };
    }

    get hourOptions() {
        return [...Array(24).keys()].map((hour) => ({
            value: hour,
            label: toPersianDigits(pad(hour)),
        }));
    }

    get minuteOptions() {
        const step = this.props.rounding > 0 ? this.props.rounding : 1;
        const minutes = [...Array(60).keys()].filter((minute) => minute % step === 0);
        const current = this.time.minute;
        if (!minutes.includes(current)) {
            minutes.push(current);
            minutes.sort((a, b) => a - b);
        }
        return minutes.map((minute) => ({ value: minute, label: toPersianDigits(pad(minute)) }));
    }

    get secondOptions() {
        return [...Array(60).keys()].map((second) => ({
            value: second,
            label: toPersianDigits(pad(second)),
        }));
    }

    // ------------------------------------------------------------------
    // Handlers
    // ------------------------------------------------------------------

    previous() {
        this.move(-1);
    }

    next() {
        this.move(1);
    }

    /**
     * @param {1 | -1} direction
     */
    move(direction) {
        const { view } = this.state;
        if (view === "days") {
            let month = this.state.month + direction;
            let year = this.state.year;
            if (month < 1) {
                month = 12;
                year -= 1;
            } else if (month > 12) {
                month = 1;
                year += 1;
            }
            this.setFocus(year, month);
        } else {
            const step = view === "months" ? 1 : YEARS_PER_PAGE;
            this.setFocus(this.state.year + direction * step, this.state.month);
        }
    }

    setFocus(year, month) {
        if (year < JALALI_MIN_YEAR || year > JALALI_MAX_YEAR) {
            return;
        }
        this.state.year = year;
        this.state.month = month;
    }

    zoomOut() {
        if (this.state.view === "days") {
            this.state.view = "months";
        } else if (this.state.view === "months") {
            this.state.view = "years";
        }
    }

    /**
     * @param {number} month
     */
    selectMonth(month) {
        this.state.month = month;
        this.state.view = "days";
    }

    /**
     * @param {number} year
     */
    selectYear(year) {
        this.setFocus(year, this.state.month);
        this.state.view = "months";
    }

    /**
     * @param {number} day
     */
    selectDay(day) {
        const time = this.props.type === "datetime" ? this.time : {};
        this.select(fromJalali(this.state.year, this.state.month, day, time));
        if (this.props.type === "date") {
            this.props.close();
        }
    }

    selectToday() {
        const now = DateTime.local();
        const time = this.props.type === "datetime" ? this.time : {};
        const { year, month, day } = toJalali(now);
        this.setFocus(year, month);
        this.state.view = "days";
        this.select(fromJalali(year, month, day, time));
        if (this.props.type === "date") {
            this.props.close();
        }
    }

    /**
     * @param {"hour" | "minute" | "second"} unit
     * @param {Event} ev
     */
    onTimeChange(unit, ev) {
        const today = toJalali(DateTime.local());
        const base = this.state.value || fromJalali(today.year, today.month, today.day, this.time);
        this.select(base.set({ [unit]: Number(ev.target.value) }));
    }

    clear() {
        this.select(false);
        this.props.close();
    }

    /**
     * @param {DateTime | false} value
     */
    select(value) {
        this.state.value = value || null;
        this.props.onSelect(value);
    }
}
