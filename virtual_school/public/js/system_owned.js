// The desk side of virtual_school/security/system_owned.py, included by the forms whose fields are editable
// in some roles or states only (DECLARED there): those the user may not set on this record are read-only.
// The server refuses them whatever the form does; this only keeps the form honest.
window.virtual_school_system_owned = window.virtual_school_system_owned || {
	lock(frm) {
		frappe
			.xcall("virtual_school.security.system_owned.locked_fields", {
				doctype: frm.doctype,
				name: frm.is_new() ? null : frm.doc.name,
			})
			.then((fields) => (fields || []).forEach((field) => frm.set_df_property(field, "read_only", 1)));
	},
};
