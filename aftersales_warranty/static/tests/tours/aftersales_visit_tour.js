import { registry } from "@web/core/registry";

// An agent plans a repair visit from an urgent claim: the planning calendar opens on the earliest
// free slot's week with the claim's values, a click on the calendar creates the visit, the agent
// schedules it and finds it in the technician's calendar.
registry.category("web_tour.tours").add("aftersales_visit_plan_tour", {
    steps: () => [
        {
            content: "Plan a visit from the claim",
            trigger: ".o_form_view button[name='action_plan_visit']",
            run: "click",
        },
        {
            content: "The planning calendar, a week",
            trigger: ".o_calendar_view .fc-timegrid",
        },
        {
            content: "Click a time in the calendar",
            trigger: ".o_calendar_view .fc-timegrid-slot-lane[data-time='10:00:00']",
            run: "click",
        },
        {
            content: "The new visit has the claim's values and the technician offered",
            trigger: ".o_form_view .o_field_widget[name='claim_id'] input:value(CLM/)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='technician_id'] input:value(Technician Sara)",
        },
        {
            content: "Schedule it",
            trigger: ".o_form_view button[name='action_schedule']",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Scheduled')",
        },
        {
            content: "Back to the planning",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Visit Planning')",
            run: "click",
        },
        {
            content: "The visit is in the technician's calendar",
            trigger: ".o_calendar_view .fc-event:contains('VIS/')",
        },
    ],
});
