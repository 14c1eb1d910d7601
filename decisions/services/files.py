"""What a case record or an entrustment paper may be, checked by content (core.checkers)."""

# Scans and photos of paper records (seed 003 三(二)2: 拍照上传), PDF and OFD documents.
# Without the dot, as core.checkers.upload_problem and UPLOAD_TYPES name them.
RECORD_SUFFIXES = ("pdf", "ofd", "jpg", "jpeg", "png")
# This product's default: a photographed record or scanned entrustment stays well below it.
MAX_BYTES = 20 * 1024 * 1024
