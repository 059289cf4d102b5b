
ncch-bad idncchCT1:979cb15900b02337e8d943fc718a17995324426d5b66d1205e165c4748488a71CT2:54fcec1ea096589f114541f2498c4d5eb666005add517564df919ea1a99dde08(22023-138=@©PXÿÿÿÿÿÿÿÿÿ`‚LMSŠoncotree_2025_10_03šSoft Tissue ªD
NCC-ONCOPANEL"GRCh38*
BRAFp.V600E)×£p=
×Ó?01ÍÌÌÌÌÌ@8²$doxorubicin(08‰@J
RECIST 1.1