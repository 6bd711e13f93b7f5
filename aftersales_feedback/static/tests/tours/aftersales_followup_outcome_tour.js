import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("aftersales_followup_outcome_tour", {
    steps: () => [
        {
            content: "Mark the follow-up call done from the chatter",
            trigger: ".o-mail-Activity:contains('Call after delivery') .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "Done",
            trigger: ".o-mail-ActivityMarkAsDone button[aria-label='Done and Schedule Next']",
            run: "click",
        },
        {
            content: "The outcome dialog asks what came of the call",
            trigger: ".modal .o_field_widget[name='outcome'] input[data-value='reached']",
            run: "click",
        },
        {
            content: "The customer gives 4",
            trigger: ".modal .o_field_widget[name='score'] input[data-value='4']",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The dialog is closed and the call is no longer planned",
            trigger: "body:not(:has(.modal)):not(:has(.o-mail-Activity:contains('Call after delivery')))",
        },
    ],
});
