import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("aftersales_feedback_survey_tour", {
    steps: () => [
        {
            content: "The one-click score is preselected",
            trigger: "input[name='score'][value='3']:checked",
        },
        {
            content: "Change the score to 4",
            trigger: "label[for='score_4']",
            run: "click",
        },
        {
            content: "Would recommend: 10",
            trigger: "label[for='nps_10']",
            run: "click",
        },
        {
            content: "Leave a comment",
            trigger: "textarea[name='comment']",
            run: "edit Great service",
        },
        {
            content: "Send",
            trigger: "button.o_aftersales_survey_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Thanked",
            trigger: ".o_aftersales_survey_thanks",
        },
    ],
});
