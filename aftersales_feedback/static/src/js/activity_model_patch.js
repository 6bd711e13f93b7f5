import { Activity } from "@mail/core/common/activity_model";
import { patch } from "@web/core/utils/patch";

/**
 * A follow-up call is not simply "done": marking it done opens the outcome dialog
 * (reached with the score, no answer, call back, wrong number), which also schedules the next
 * call when there is one. Other activities are unchanged.
 */
patch(Activity.prototype, {
    async aftersalesOutcomeAction() {
        return this.store.env.services.orm.call(
            "mail.activity",
            "aftersales_followup_outcome_action",
            [this.id]
        );
    },
    async markAsDone(attachmentIds = []) {
        const action = await this.aftersalesOutcomeAction();
        if (!action) {
            return super.markAsDone(...arguments);
        }
        await new Promise((resolve) =>
            this.store.env.services.action.doAction(action, { onClose: resolve })
        );
        this.store.activityBroadcastChannel?.postMessage({
            type: "RELOAD_CHATTER",
            payload: { id: this.res_id, model: this.res_model },
        });
    },
    async markAsDoneAndScheduleNext() {
        // The caller opens the returned action and refreshes the chatter when it closes.
        return (await this.aftersalesOutcomeAction()) || super.markAsDoneAndScheduleNext(...arguments);
    },
});
