"""What makes a cover's title, for a text PDF (pdfium's font sizes, ``pdf.cover_title``) and for a
scanned one (tesseract's line heights, ``ocr.cover_title_from_tsv``): the same rule for both."""

#: the title's letters are this much larger than the page's median, or the page has no title
TITLE_SIZE_RATIO = 1.25
#: text at least this share of the largest size belongs to the title block
TITLE_BLOCK_SHARE = 0.85
