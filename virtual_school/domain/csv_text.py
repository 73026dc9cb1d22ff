"""Text of a CSV file as councils and schools save it. This module imports nothing from Frappe."""


def decode_csv_text(content: bytes) -> str:
	"""UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel saves CSV.

	Raises ValueError ("neither UTF-8 nor Windows-1252 text: byte 0x.. at offset N") for anything else.
	"""
	try:
		return content.decode("utf-8-sig")
	except UnicodeDecodeError:
		pass
	try:
		return content.decode("cp1252")
	except UnicodeDecodeError as error:
		raise ValueError(
			f"neither UTF-8 nor Windows-1252 text: byte 0x{content[error.start]:02X} at offset {error.start}"
		) from error
