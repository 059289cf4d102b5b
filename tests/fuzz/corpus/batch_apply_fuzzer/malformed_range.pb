ЬЮ
ncch-0000000001ncchCT1:979cb15900b02337e8d943fc718a17995324426d5b66d1205e165c4748488a71CT2:54fcec1ea096589f114541f2498c4d5eb666005add517564df919ea1a99dde08 (22023-028=@╘PXЪЪЪЪЪЪЪЪЪ`┌LMS┼oncotree_2025_10_03░ Soft Tissue═╙D
NCC-ONCOPANEL"GRCh38*
BRAFp.V600E)вёp=
вс?01мллллл@8╡$doxorubicin(08┴@J
RECIST 1.1"ncch-0000000001