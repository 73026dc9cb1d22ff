frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Looked After Children by Key Stage"] = {
	method: "virtual_school.virtual_school.dashboard_chart_source.looked_after_children_by_key_stage.looked_after_children_by_key_stage.get",
	filters: [],
};
