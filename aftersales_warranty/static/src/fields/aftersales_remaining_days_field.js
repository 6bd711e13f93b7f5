import { registry } from "@web/core/registry";
import {
    RemainingDaysField,
    remainingDaysField,
} from "@web/views/fields/remaining_days/remaining_days_field";
import { formatJalali, isJalaliUser } from "../core/jalali";
import { AftersalesDateField } from "./aftersales_date_field";

/**
 * Odoo's "remaining days" (Today, In 3 days, ...) whose dates, for a Persian user, are Solar Hijri:
 * the date shown past 99 days, its tooltip, and the picker when it is editable.
 */
export class AftersalesRemainingDaysField extends RemainingDaysField {
    static components = { ...RemainingDaysField.components, DateTimeField: AftersalesDateField };

    get formattedValue() {
        if (!isJalaliUser()) {
            return super.formattedValue;
        }
        const { record, name } = this.props;
        return formatJalali(record.data[name], { long: true });
    }

    get numericValue() {
        if (!isJalaliUser()) {
            return super.numericValue;
        }
        const { record, name } = this.props;
        return formatJalali(record.data[name]);
    }
}

export const aftersalesRemainingDaysField = {
    ...remainingDaysField,
    component: AftersalesRemainingDaysField,
};

registry.category("fields").add("aftersales_remaining_days", aftersalesRemainingDaysField);
