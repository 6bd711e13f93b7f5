import { registry } from "@web/core/registry";

const PICKER = ".o_popover .o_aftersales_jalali_picker";

// A Persian agent reads the claim's dates in the Solar Hijri calendar, picks one and types another.
// The claim was reported on 2026-11-20 (29 Aban 1405); its deadline is now (today is highlighted).
registry.category("web_tour.tours").add("aftersales_jalali_claim_tour", {
    steps: () => [
        {
            content: "The reported date is shown in the Solar Hijri calendar, with Persian digits",
            trigger:
                ".o_field_widget[name='date_reported'] .o_aftersales_jalali_date input:value('۱۴۰۵/۰۸/۲۹')",
        },
        {
            content: "Open the picker of the deadline: today is highlighted and selected",
            trigger: ".o_field_widget[name='date_deadline'] input",
            run: "click",
        },
        {
            trigger: `${PICKER} .o_date_item_cell.o_today.o_selected`,
        },
        {
            content: "Close it without a change",
            trigger: `${PICKER} .o_aftersales_jalali_apply`,
            run: "click",
        },
        {
            trigger: "body:not(:has(.o_aftersales_jalali_picker))",
        },
        {
            content: "Open the picker of the reported date",
            trigger: ".o_field_widget[name='date_reported'] input",
            run: "click",
        },
        {
            content: "The picker shows Aban 1405, the 29th selected",
            trigger: `${PICKER} .o_zoom_out:contains('آبان ۱۴۰۵')`,
        },
        {
            trigger: `${PICKER} .o_date_item_cell.o_selected[data-day='29']:contains('۲۹')`,
        },
        {
            content: "Go to the months of the year",
            trigger: `${PICKER} .o_zoom_out`,
            run: "click",
        },
        {
            trigger: `${PICKER} .o_date_item_cell.o_selected[data-month='8']:contains('آبان')`,
        },
        {
            content: "Next year",
            trigger: `${PICKER} .o_next`,
            run: "click",
        },
        {
            trigger: `${PICKER} .o_zoom_out:contains('۱۴۰۶')`,
        },
        {
            content: "Farvardin",
            trigger: `${PICKER} .o_date_item_cell[data-month='1']:contains('فروردین')`,
            run: "click",
        },
        {
            trigger: `${PICKER} .o_zoom_out:contains('فروردین ۱۴۰۶')`,
        },
        {
            content: "Previous month: Esfand 1405, a common year (29 days)",
            trigger: `${PICKER} .o_previous`,
            run: "click",
        },
        {
            trigger: `${PICKER}:has(.o_zoom_out:contains('اسفند ۱۴۰۵')):has(.o_date_item_cell[data-day='29']):not(:has(.o_date_item_cell[data-day='30']))`,
        },
        {
            content: "Next month: back to Farvardin 1406",
            trigger: `${PICKER} .o_next`,
            run: "click",
        },
        {
            trigger: `${PICKER} .o_zoom_out:contains('فروردین ۱۴۰۶')`,
        },
        {
            content: "Pick the 15th",
            trigger: `${PICKER} .o_date_item_cell[data-day='15']:contains('۱۵')`,
            run: "click",
        },
        {
            trigger: `${PICKER} .o_date_item_cell.o_selected[data-day='15']`,
        },
        {
            content: "Apply",
            trigger: `${PICKER} .o_aftersales_jalali_apply`,
            run: "click",
        },
        {
            content: "The reported date shows the picked day",
            trigger: ".o_field_widget[name='date_reported'] input:value('۱۴۰۶/۰۱/۱۵')",
        },
        {
            trigger: "body:not(:has(.o_aftersales_jalali_picker))",
        },
        {
            content: "Type a Jalali date (Latin digits) as the deadline",
            trigger: ".o_field_widget[name='date_deadline'] input",
            run: "edit 1406/1/20 10:30",
        },
        {
            trigger: ".o_field_widget[name='date_deadline'] input",
            run: "press Enter",
        },
        {
            content: "The typed date is shown back in Persian digits",
            trigger: ".o_field_widget[name='date_deadline'] input:value('۱۴۰۶/۰۱/۲۰ ۱۰:۳۰')",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "The saved dates are still shown in Jalali",
            trigger: ".o_field_widget[name='date_reported'] input:value('۱۴۰۶/۰۱/۱۵')",
        },
        {
            trigger: ".o_field_widget[name='date_deadline'] input:value('۱۴۰۶/۰۱/۲۰ ۱۰:۳۰')",
        },
    ],
});

// A Persian user reads a warranty's dates in the Solar Hijri calendar, in the list and the form.
// Its coverage ends on 2027-03-21: 1 Farvardin 1406.
registry.category("web_tour.tours").add("aftersales_jalali_warranty_tour", {
    steps: () => [
        {
            content: "The list shows the end date in Jalali",
            trigger: ".o_data_row:contains('JALALI-SN') td[name='date_end']:contains('۱۴۰۶/۰۱/۰۱')",
        },
        {
            content: "Open the warranty",
            trigger: ".o_data_row:contains('JALALI-SN') td[name='name']",
            run: "click",
        },
        {
            content: "The read-only end date is shown in Jalali",
            trigger:
                ".o_field_widget[name='date_end'] .o_aftersales_jalali_date span:contains('۱۴۰۶/۰۱/۰۱')",
        },
    ],
});

// An English agent keeps Odoo's own date widget on the same fields: Gregorian text and picker.
registry.category("web_tour.tours").add("aftersales_date_english_tour", {
    steps: () => [
        {
            content: "The deadline is shown by Odoo's own widget, in the Gregorian calendar",
            trigger:
                ".o_field_widget[name='date_deadline']:not(:has(.o_aftersales_jalali_date)) .o_input:contains('Nov 22')",
        },
        {
            content: "Open Odoo's picker",
            trigger: ".o_field_widget[name='date_deadline'] .o_input",
            run: "click",
        },
        {
            trigger:
                ".o_popover .o_datetime_picker:not(.o_aftersales_jalali_picker) .o_zoom_out:contains('November 2026')",
        },
        {
            content: "Pick the 25th of November",
            trigger:
                ".o_popover .o_datetime_picker .o_date_item_cell:not(.o_out_of_range):contains('25')",
            run: "click",
        },
        {
            trigger: ".o_popover .o_datetime_picker .o_datetime_buttons .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='date_deadline'] .o_input:contains('Nov 25')",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
    ],
});
