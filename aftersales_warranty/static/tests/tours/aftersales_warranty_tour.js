import { registry } from "@web/core/registry";

// A salesperson opens a delivered sale order and sees, at a glance, that its units are under warranty.
registry.category("web_tour.tours").add("aftersales_warranty_sale_order_tour", {
    steps: () => [
        {
            content: "The order list shows the warranty status badge",
            trigger: ".o_data_row td[name='warranty_status']:contains('Under Warranty')",
        },
        {
            content: "Open the order",
            trigger: ".o_data_row:contains('Tour Customer') td[name='name']",
            run: "click",
        },
        {
            content: "The order form shows its warranty status",
            trigger: ".o_form_view .o_field_widget[name='warranty_status']:contains('Under Warranty')",
        },
        {
            content: "The line shows when the warranty ends",
            trigger: ".o_field_widget[name='order_line'] td[name='warranty_date_end']:contains('2027')",
        },
        {
            content: "Open the warranties of the order",
            trigger: "button[name='action_view_warranties']",
            run: "click",
        },
        {
            content: "The warranty of the delivered serial is listed",
            trigger: ".o_list_view .o_data_row:contains('TOUR-SN-1'):contains('Active')",
        },
    ],
});
