"""Standard Notification (issue #21): the message is the .html file beside this one; recipients who opted out
in their Notification Settings are dropped by ``virtual_school.shared.notifications``."""


def get_context(context):
	return None
