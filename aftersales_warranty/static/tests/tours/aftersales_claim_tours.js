import { registry } from "@web/core/registry";

// An agent takes a new claim from the kanban, diagnoses it, repairs it under warranty, codes its
// cause and resolves it.
registry.category("web_tour.tours").add("aftersales_claim_agent_tour", {
    steps: () => [
        {
            content: "The new claim is in the New column, flagged under warranty",
            trigger: ".o_kanban_group:contains('New') .o_kanban_record:contains('TOUR-CLAIM-SN'):contains('Under warranty')",
        },
        {
            content: "Open the claim",
            trigger: ".o_kanban_record:contains('TOUR-CLAIM-SN')",
            run: "click",
        },
        {
            content: "Start the diagnosis",
            trigger: ".o_form_view button[name='action_start_diagnosis']",
            run: "click",
        },
        {
            content: "Repair the unit",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Diagnosis')",
        },
        {
            trigger: ".o_form_view button[name='action_start_repair']",
            run: "click",
        },
        {
            content: "A repair order exists",
            trigger: ".o_form_view button[name='action_view_repairs'] .o_stat_value:contains('1')",
        },
        {
            content: "Code the cause: a repair is resolved with it",
            trigger: ".o_form_view .o_field_widget[name='cause_id'] input",
            run: "edit Tour cause",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour cause')",
            run: "click",
        },
        {
            content: "Resolve",
            trigger: ".o_form_view button[name='action_resolve']:not(:contains('Advice'))",
            run: "click",
        },
        {
            content: "The claim is resolved",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Resolved')",
        },
    ],
});

// A portal customer reports a problem on its warranty and lands on its new claim.
registry.category("web_tour.tours").add("aftersales_claim_portal_tour", {
    url: "/my/warranties",
    steps: () => [
        {
            content: "Open the warranty",
            trigger: "a:contains('WAR/')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Describe the problem",
            trigger: "textarea[name='description']",
            run: "edit The screen stays black after charging.",
        },
        {
            trigger: ".o_aftersales_report_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The claim is created and shown",
            trigger: ".alert-success:contains('we received your claim')",
        },
        {
            trigger: "#claim_details:contains('TOUR-PORTAL-SN')",
        },
    ],
});
