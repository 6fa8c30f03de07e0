// The text of a PDF as pdf.js (Firefox's and many web viewers' reader) gives it to search and copy:
// text items in drawing order, a newline where pdf.js marks the end of a line. Needs pdfjs-dist:
//   npm install --prefix bench/pdfjs pdfjs-dist@4
// usage: node bench/pdfjs/pdf_text.mjs FILE.pdf
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const doc = await getDocument({ url: process.argv[2], verbosity: 0 }).promise;
const pages = [];
for (let n = 1; n <= doc.numPages; n++) {
  const content = await (await doc.getPage(n)).getTextContent();
  pages.push(content.items.map((it) => it.str + (it.hasEOL ? "\n" : "")).join(""));
}
process.stdout.write(pages.join("\f"));
