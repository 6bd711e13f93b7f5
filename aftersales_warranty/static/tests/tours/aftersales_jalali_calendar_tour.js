import { registry } from "@web/core/registry";

// The visit planning on a known day: a visit on Thursday 2026-12-03, that is 12 Azar 1405.
async function openPlanningOnVisitDay() {
    const { action } = odoo.__WOWL_DEBUG__.root.env.services;
    await action.doAction("aftersales_warranty.aftersales_visit_action_plan", {
        additionalContext: { initial_date: "2026-12-03 06:30:00" },
    });
}

const HEADER = ".o_calendar_header h5";
const SCALE_BUTTON = ".o_calendar_header .o_view_scale_selector button.scale_button_selection";

// A Persian user reads the planning in the Solar Hijri calendar only: month names, years, day and
// week numbers, the month grid, previous/next and the side panel's picker.
registry.category("web_tour.tours").add("aftersales_jalali_calendar_tour", {
    steps: () => [
        {
            content: "Open the visit planning on the visit's week",
            trigger: ".o_main_navbar",
            run: openPlanningOnVisitDay,
        },
        {
            content: "The week: Azar 1405 in Persian digits, no Gregorian year",
            trigger: `${HEADER}:contains('آذر ۱۴۰۵'):not(:contains('2026'))`,
        },
        {
            content: "Week 37 of 1405 (Saturday 1 Farvardin starts week 1), not ISO week 49",
            trigger: `${HEADER} .o_current_week:contains('۳۷'):not(:contains('49'))`,
        },
        {
            content: "Thursday 3 December is the 12th (of Azar)",
            trigger: ".fc-col-header-cell[data-date='2026-12-03'] .o_cw_day_number:contains('۱۲')",
        },
        {
            content: "Saturday 28 November is the 7th",
            trigger: ".fc-col-header-cell[data-date='2026-11-28'] .o_cw_day_number:contains('۷')",
        },
        {
            content: "The visit is on that day",
            trigger: "body:has(.fc-timegrid-col[data-date='2026-12-03'] .o_event:contains('JALALI-VISIT'))",
        },
        {
            content: "The side panel's picker is the Solar Hijri one, on the 12th of Azar",
            trigger: ".o_calendar_sidebar .o_aftersales_jalali_picker .o_zoom_out:contains('آذر ۱۴۰۵')",
        },
        {
            trigger:
                ".o_calendar_sidebar .o_aftersales_jalali_picker .o_date_item_cell.o_selected[data-day='12']:contains('۱۲')",
        },
        {
            content: "Show the month",
            trigger: SCALE_BUTTON,
            run: "click",
        },
        {
            trigger: ".o_scale_button_month",
            run: "click",
        },
        {
            content: "The month is Azar 1405: from 1 Azar (22 November) to 30 Azar (21 December)",
            trigger: `${HEADER}:contains('آذر ۱۴۰۵'):not(:contains('2026'))`,
        },
        {
            trigger:
                ".fc-daygrid-day[data-date='2026-11-22']:not(.fc-day-other) .fc-daygrid-day-top:contains('۱')",
        },
        {
            trigger:
                ".fc-daygrid-day[data-date='2026-12-03']:not(.fc-day-other) .fc-daygrid-day-top:contains('۱۲')",
        },
        {
            trigger:
                ".fc-daygrid-day[data-date='2026-12-21']:not(.fc-day-other) .fc-daygrid-day-top:contains('۳۰')",
        },
        {
            content: "1 Dey (22 December) belongs to the next month",
            trigger: ".fc-daygrid-day.fc-day-other[data-date='2026-12-22']",
        },
        {
            trigger: "body:has(.fc-daygrid-day[data-date='2026-12-03'] .o_event:contains('JALALI-VISIT'))",
        },
        {
            content: "Next month",
            trigger: ".o_calendar_button_next",
            run: "click",
        },
        {
            content: "Dey 1405, from 22 December",
            trigger: `${HEADER}:contains('دی ۱۴۰۵')`,
        },
        {
            trigger:
                ".fc-daygrid-day[data-date='2026-12-22']:not(.fc-day-other) .fc-daygrid-day-top:contains('۱')",
        },
        {
            content: "Previous month twice: Aban 1405",
            trigger: ".o_calendar_button_prev",
            run: "click",
        },
        {
            trigger: `${HEADER}:contains('آذر ۱۴۰۵')`,
        },
        {
            trigger: ".o_calendar_button_prev",
            run: "click",
        },
        {
            trigger: `${HEADER}:contains('آبان ۱۴۰۵')`,
        },
        {
            content: "Pick 12 Azar in the side panel: back to the visit",
            trigger: ".o_calendar_sidebar .o_aftersales_jalali_picker .o_next",
            run: "click",
        },
        {
            trigger: ".o_calendar_sidebar .o_aftersales_jalali_picker .o_date_item_cell[data-day='12']",
            run: "click",
        },
        {
            trigger: "body:has(.o_calendar_view .o_event:contains('JALALI-VISIT'))",
        },
        {
            trigger: `${HEADER}:contains('آذر ۱۴۰۵'):not(:contains('2026'))`,
        },
        {
            content: "The year 1405",
            trigger: SCALE_BUTTON,
            run: "click",
        },
        {
            trigger: ".o_scale_button_year",
            run: "click",
        },
        {
            trigger: `${HEADER}:contains('۱۴۰۵'):not(:contains('2026'))`,
        },
        {
            content: "Its first month is Farvardin 1405, from 21 March 2026",
            trigger: ".fc-month-container:first .fc-toolbar-title:contains('فروردین ۱۴۰۵')",
        },
        {
            trigger:
                ".fc-month-container:first .fc-daygrid-day[data-date='2026-03-21']:not(.fc-day-other) .fc-daygrid-day-top:contains('۱')",
        },
        {
            content: "Esfand 1405 ends on 20 March 2027 (29 days)",
            trigger:
                ".fc-month-container:last .fc-daygrid-day[data-date='2027-03-20']:not(.fc-day-other) .fc-daygrid-day-top:contains('۲۹')",
        },
    ],
});

// Other users keep Odoo's Gregorian calendar.
registry.category("web_tour.tours").add("aftersales_gregorian_calendar_tour", {
    steps: () => [
        {
            content: "Open the visit planning on the visit's week",
            trigger: ".o_main_navbar",
            run: openPlanningOnVisitDay,
        },
        {
            trigger: `${HEADER}:contains('2026'):contains('December')`,
        },
        {
            trigger: `${HEADER} .o_current_week:contains('49')`,
        },
        {
            trigger: ".fc-col-header-cell[data-date='2026-12-03'] .o_cw_day_number:contains('3')",
        },
        {
            trigger: "body:has(.fc-timegrid-col[data-date='2026-12-03'] .o_event:contains('JALALI-VISIT'))",
        },
        {
            content: "Odoo's own picker in the side panel",
            trigger: ".o_calendar_sidebar .o_datetime_picker:not(.o_aftersales_jalali_picker)",
        },
    ],
});
