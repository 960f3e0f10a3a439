/** The development inbox's page: what the local mail server and text-message sink received. Pure. */

/** A message the local SMTP server stored. */
export interface InboxMail {
  file: string;
  date: string | undefined;
  to: string;
  subject: string;
  text: string;
}

/** A text message the sink took. */
export interface InboxSms {
  receivedAt: string;
  to: string;
  text: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

const LINK = /https?:\/\/[^\s<>"']+/g;

/** Escaped text whose http(s) links can be followed (the confirmation link, the portal's pages). */
export function linkified(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const url = escape(match[0]);
    out += `${escape(text.slice(last, match.index))}<a href="${url}">${url}</a>`;
    last = match.index + match[0].length;
  }
  return out + escape(text.slice(last));
}

/** Only the styles of the page itself: the policy forbids everything else. */
export const INBOX_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export function inboxPage(mails: readonly InboxMail[], texts: readonly InboxSms[]): string {
  const mailItems = mails.map(
    (mail) => `<article>
  <h3>${escape(mail.subject)}</h3>
  <p class="meta">${escape(mail.date ?? '')} · to ${escape(mail.to)} · <code>${escape(mail.file)}</code></p>
  <pre>${linkified(mail.text)}</pre>
</article>`,
  );
  const textItems = texts.map(
    (sms) => `<tr><td>${escape(sms.receivedAt)}</td><td>${escape(sms.to)}</td><td>${linkified(sms.text)}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Passerelle development inbox</title>
<style>
body { font: 1rem/1.5 system-ui, sans-serif; margin: 1rem auto; max-width: 60rem; padding: 0 1rem; color: #1b1b1b; }
article { border-top: 1px solid #888; padding: .5rem 0; }
.meta { color: #444; font-size: .875rem; margin: 0; }
pre { white-space: pre-wrap; background: #f3f3f3; padding: .5rem; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #888; padding: .25rem .5rem; text-align: left; vertical-align: top; }
</style>
</head>
<body>
<h1>Passerelle development inbox</h1>
<p>What the gateway sent to citizens in development, newest first. Nothing here leaves this machine.</p>
<h2>E-mail (${mails.length})</h2>
${mailItems.length === 0 ? '<p>No e-mail yet.</p>' : mailItems.join('\n')}
<h2>Text messages (${texts.length})</h2>
${
  textItems.length === 0
    ? '<p>No text message yet.</p>'
    : `<table><thead><tr><th>Received</th><th>To</th><th>Text</th></tr></thead><tbody>${textItems.join('')}</tbody></table>`
}
</body>
</html>
`;
}
