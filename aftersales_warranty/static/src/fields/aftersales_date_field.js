import { Component, useEffect, useRef } from "@odoo/owl";
import { areDatesEqual } from "@web/core/l10n/dates";
import { usePopover } from "@web/core/popover/popover_hook";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useBus } from "@web/core/utils/hooks";
import { DateTimeField, dateField, dateTimeField } from "@web/views/fields/datetime/datetime_field";
import { ListDateTimeField } from "@web/views/fields/datetime/list_datetime_field";
import { formatJalali, isJalaliUser, parseJalali } from "../core/jalali";
import { JalaliDatePicker } from "./jalali_date_picker";

/**
 * A date or datetime field in the Solar Hijri calendar: shows the value as ۱۴۰۵/۰۹/۱۰ (and its time),
 * accepts a typed Jalali date, opens a Jalali picker; the record keeps its Gregorian value.
 */
export class JalaliDateTimeField extends Component {
    static template = "aftersales_warranty.JalaliDateTimeField";
    static props = { ...DateTimeField.props };
    static defaultProps = { ...DateTimeField.defaultProps };

    setup() {
        this.rootRef = useRef("root");
        this.inputRef = useRef("input");
        this.popover = usePopover(JalaliDatePicker, {
            onClose: () => this.inputRef.el?.classList.remove("text-primary"),
            closeOnClickAway: (target) => !this.rootRef.el?.contains(target),
        });
        // The text shown in the input follows the record, except while the user types in it.
        this.isTyping = false;
        this.pendingUpdate = null;
        useEffect(
            (input, text) => {
                if (input && !this.isTyping) {
                    input.value = text;
                }
            },
            () => [this.inputRef.el, this.formattedValue]
        );
        const { bus } = this.props.record.model;
        useBus(bus, "NEED_LOCAL_CHANGES", (ev) => ev.detail.proms.push(this.commitInput()));
        useBus(bus, "WILL_SAVE_URGENTLY", () => this.commitInput());
    }

    // ------------------------------------------------------------------
    // Getters
    // ------------------------------------------------------------------

    get type() {
        return this.props.record.fields[this.props.name].type;
    }

    get value() {
        return this.props.record.data[this.props.name];
    }

    get formatOptions() {
        return {
            type: this.type,
            showTime: this.props.showTime,
            showSeconds: this.props.showSeconds,
        };
    }

    get formattedValue() {
        return formatJalali(this.value, this.formatOptions);
    }

    get longValue() {
        return formatJalali(this.value, { ...this.formatOptions, long: true });
    }

    get placeholder() {
        return this.props.placeholder || "";
    }

    // ------------------------------------------------------------------
    // Handlers
    // ------------------------------------------------------------------

    openPicker() {
        if (this.popover.isOpen || this.props.readonly) {
            return;
        }
        this.inputRef.el?.classList.add("text-primary");
        this.popover.open(this.rootRef.el, {
            value: this.value || null,
            type: this.type,
            rounding: this.props.showSeconds ? 0 : this.props.rounding ?? 5,
            showSeconds: this.props.showSeconds,
            onSelect: (value) => this.update(value),
        });
    }

    onInput() {
        this.isTyping = true;
        this.triggerIsDirty(true);
    }

    onKeydown(ev) {
        if ((ev.key === "Enter" && ev.ctrlKey) || (ev.key === "ArrowDown" && ev.altKey)) {
            ev.preventDefault();
            this.openPicker();
        } else if (ev.key === "Enter") {
            this.commitInput();
            this.popover.close();
        } else if (ev.key === "Escape" || ev.key === "Tab") {
            this.popover.close();
        }
    }

    /**
     * Applies the typed text, if any: a valid Jalali date updates the record, an invalid one is
     * replaced by the current value (as Odoo's own date field does).
     */
    commitInput() {
        if (!this.isTyping || !this.inputRef.el) {
            return this.pendingUpdate; // a save waits for the update of the text typed before
        }
        this.isTyping = false;
        const parsed = parseJalali(this.inputRef.el.value, {
            type: this.type,
            reference: this.value,
        });
        if (parsed === null) {
            this.inputRef.el.value = this.formattedValue;
            this.triggerIsDirty(false);
            return this.pendingUpdate;
        }
        this.pendingUpdate = this.update(parsed);
        return this.pendingUpdate;
    }

    /**
     * @param {luxon.DateTime | false} value
     */
    async update(value) {
        this.isTyping = false;
        if (this.inputRef.el) {
            this.inputRef.el.value = formatJalali(value, this.formatOptions);
        }
        if (!areDatesEqual(value || false, this.value || false)) {
            await this.props.record.update({ [this.props.name]: value || false });
        }
        this.triggerIsDirty(false);
    }

    /**
     * @param {boolean} isDirty
     */
    triggerIsDirty(isDirty) {
        this.props.record.model.bus.trigger("FIELD_IS_DIRTY", isDirty);
    }
}

/**
 * The after-sales date widget: the Solar Hijri field for a user whose language is Persian, Odoo's
 * own date/datetime field (unchanged) for everybody else.
 */
export class AftersalesDateField extends Component {
    static template = "aftersales_warranty.AftersalesDateField";
    static components = { DateTimeField, JalaliDateTimeField };
    static props = { ...DateTimeField.props };

    get isJalali() {
        return isJalaliUser();
    }
}

export class ListAftersalesDateField extends AftersalesDateField {
    static components = { DateTimeField: ListDateTimeField, JalaliDateTimeField };
}

export const aftersalesDateField = {
    ...dateTimeField,
    component: AftersalesDateField,
    displayName: _t("Date"),
    supportedTypes: ["date", "datetime"],
    extractProps: (fieldInfo, dynamicInfo) =>
        (fieldInfo.type === "datetime" ? dateTimeField : dateField).extractProps(
            fieldInfo,
            dynamicInfo
        ),
    listViewWidth: (params) =>
        (params.type === "datetime" ? dateTimeField : dateField).listViewWidth(params),
};

export const listAftersalesDateField = {
    ...aftersalesDateField,
    component: ListAftersalesDateField,
};

registry
    .category("fields")
    .add("aftersales_date", aftersalesDateField)
    .add("list.aftersales_date", listAftersalesDateField);
