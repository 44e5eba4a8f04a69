"""The kernel: what every slice stands on, pure Python (no database, web or command line).

The land model, ID numbers, land-use codes, provinces and admin units (old and 2025, the address
parser), certificates, VN-2000 zones, number and date formats, legacy Vietnamese encodings (TCVN3,
VNI), the error family (:mod:`datdai.kernel.errors`)."""
