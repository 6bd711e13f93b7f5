import { Activity } from "@mail/core/common/activity_model";
import { patch } from "@web/core/utils/patch";

/**
 * A follow-up call is not simply "done": marking it done opens the outcome dialog
 * (reached with the score, no answer, call back, wrong number). Other activities are unchanged.
 */
patch(Activity.prototype, {
    async markAsDone(attachmentIds = []) {
        const action = await this.store.env.services.orm.call(
            "mail.activity",
            "aftersales_followup_outcome_action",
            [this.id]
        );
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
});
