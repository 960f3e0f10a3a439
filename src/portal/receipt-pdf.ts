import PDFDocument from 'pdfkit';
import type { ConsentView } from '../consent/consent';
import type { Messages } from './messages';
import type { Names } from './views-citizen';
import { receiptFacts } from './views-receipt';

/**
 * The receipt as a PDF (pdfkit, its built-in Helvetica: no font file, no
 * network): the same facts as the page, to print or keep. The signed JWS stays
 * the proof; the PDF names its fingerprint.
 */
export function receiptPdf(m: Messages, names: Names, consent: ConsentView, jws: string): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 56,
    lang: m.lang === 'fr' ? 'fr-CA' : 'en-CA',
    info: { Title: `${m.receipt.title} · ${m.appName}`, Author: m.appName, CreationDate: new Date(consent.createdAt) },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.fillColor('#095797').font('Helvetica-Bold').fontSize(20).text(m.appName);
  doc.moveDown(0.5).fillColor('#0b0c0c').fontSize(16).text(m.receipt.title);
  doc.moveDown(0.5).font('Helvetica').fontSize(11).text(m.receipt.intro);
  for (const [label, text] of receiptFacts(m, names, consent, jws)) {
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(11).text(label);
    doc.font(label === m.receipt.fingerprint ? 'Courier' : 'Helvetica').text(text);
  }
  doc.moveDown(1).font('Helvetica').fontSize(9).fillColor('#484949').text(m.receipt.downloadHint);
  doc.end();
  return done;
}
