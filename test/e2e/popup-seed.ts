// Realistic mail for the popup suites, screenshots and benchmark: people, subjects and bodies a
// mailbox really has (plain, HTML, an attachment), some read, some flagged.
import { randomBytes } from 'node:crypto';
import { rfc5322Date, type AppendOptions } from '../harness/mail.js';

/** A 1×1 PNG (valid, so previews decode). */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAF/wJ/lYxRqwAAAABJRU5ErkJggg==';

/** A multipart/mixed message with a text part and one attachment (RFC 2046). */
export function withAttachment(options: {
  from: string;
  to: string;
  subject: string;
  text: string;
  filename: string;
  contentType: string;
  base64: string;
  date: Date;
}): string {
  const boundary = `=_att_${randomBytes(6).toString('hex')}`;
  return [
    `Date: ${rfc5322Date(options.date)}`,
    `From: ${options.from}`,
    `To: ${options.to}`,
    `Subject: ${options.subject}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@tidings.test>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    options.text,
    `--${boundary}`,
    `Content-Type: ${options.contentType}; name="${options.filename}"`,
    `Content-Disposition: attachment; filename="${options.filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    options.base64,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

const html = (body: string) => `<!doctype html><html><body style="font-family: sans-serif">${body}</body></html>`;

/**
 * The work inbox, oldest first (seedMessages dates them a minute apart, last newest).
 * `to` is filled in by the caller's harness default.
 */
export function workInbox(to: string, newest: number): AppendOptions[] {
  const at = (minutesAgo: number) => new Date(newest - minutesAgo * 60_000);
  const list: AppendOptions[] = [
    {
      from: 'Priya Raman <priya@northwind.example>',
      subject: 'Q3 roadmap review — notes',
      text: 'Thanks all for the review today. Notes and owners are below; please check your items before Friday.',
      flags: ['\\Seen'],
      date: at(60 * 24 * 9),
    },
    {
      from: 'GitHub <noreply@github.example>',
      subject: '[tidings] CI passed on main',
      text: 'All checks have passed for commit 4f2a9c1.',
      flags: ['\\Seen'],
      date: at(60 * 24 * 6),
    },
    {
      from: 'Marta Ruiz <marta@northwind.example>',
      subject: 'Offsite venue options',
      html: html(
        '<p>Hi team,</p><p>Here are the three venues we shortlisted for the offsite. I like the second one best: it has a garden and it is 10 minutes from the station.</p><ul><li>Casa Verde — 40 people</li><li>The Old Mill — 60 people</li><li>Harbour Loft — 35 people</li></ul><p>Vote by Thursday, please!</p>',
      ),
      text: 'Here are the three venues we shortlisted for the offsite.',
      flags: ['\\Seen', '\\Flagged'],
      date: at(60 * 24 * 3),
    },
    {
      from: 'Calendar <calendar@northwind.example>',
      subject: 'Reminder: 1:1 with Sam at 15:00',
      text: 'This is a reminder for your meeting "1:1 with Sam" today at 15:00.',
      flags: ['\\Seen'],
      date: at(60 * 26),
    },
    {
      from: 'Jonas Weber <jonas@contoso.example>',
      subject: 'Invoice 2024-117 for November',
      text: 'Please find attached the invoice for November. Payment terms are 30 days.',
      flags: ['\\Seen'],
      date: at(60 * 20),
    },
    {
      from: 'Sam Okafor <sam@northwind.example>',
      subject: 'Re: Hiring plan for Q1',
      text: 'Sounds good. Let us open the two backend roles first and revisit design in January.',
      flags: ['\\Seen'],
      date: at(60 * 7),
    },
    {
      from: 'Lena Fischer <lena@northwind.example>',
      subject: 'Design review: new onboarding flow',
      html: html(
        '<h2>Onboarding flow v3</h2><p>The prototype is ready. Main changes:</p><ol><li>Account setup in two steps instead of five</li><li>Inline validation for server settings</li><li>A clear error when the password needs an app password</li></ol><p>Feedback welcome before the review on <b>Wednesday</b>.</p>',
      ),
      text: 'The prototype is ready.',
      date: at(60 * 3),
    },
    {
      from: 'Ops Alerts <alerts@northwind.example>',
      subject: 'Disk usage above 80% on db-2',
      text: 'db-2 /var is at 83% (threshold 80%). Trend: +2% per day.',
      flags: ['\\Flagged'],
      date: at(95),
    },
    {
      from: 'Ana Costa <ana@fabrikam.example>',
      subject: 'Contract draft v2 — comments inline',
      text: 'I went through the draft and left comments on sections 4 and 7. The liability cap is the main open point.',
      date: at(42),
    },
    {
      from: 'Tom Becker <tom@northwind.example>',
      subject: 'Lunch on Friday?',
      text: 'There is a new ramen place near the office. Anyone in for Friday at 12:30?',
      date: at(18),
    },
    {
      from: 'Priya Raman <priya@northwind.example>',
      subject: 'Budget approval needed today',
      html: html(
        '<p>Hi,</p><p>Finance needs your approval for the <b>Q1 tooling budget</b> by 17:00 today. The summary is on the shared drive; total is unchanged from the draft.</p><p>Thanks!<br>Priya</p>',
      ),
      text: 'Finance needs your approval for the Q1 tooling budget by 17:00 today.',
      date: at(4),
    },
  ];
  return to ? list.map((m) => ({ ...m, to })) : list;
}

export function personalInbox(newest: number): AppendOptions[] {
  const at = (minutesAgo: number) => new Date(newest - minutesAgo * 60_000);
  return [
    {
      from: 'Bike Shop Kreuzberg <service@bikeshop.example>',
      subject: 'Your bike is ready for pickup',
      text: 'Good news: the service is done. We are open until 19:00.',
      flags: ['\\Seen'],
      date: at(60 * 30),
    },
    {
      from: 'Mum <mum@family.example>',
      subject: 'Photos from Sunday',
      text: 'Here are the photos from the garden. The tomatoes did well this year!',
      date: at(60 * 5),
    },
    {
      from: 'Rail Tickets <tickets@rail.example>',
      subject: 'Your booking confirmation ABX-4421',
      text: 'Berlin Hbf → Hamburg Hbf, 12 Dec, 08:34. Seat 42, coach 7.',
      flags: ['\\Seen'],
      date: at(60 * 2),
    },
    {
      from: 'Alex Martin <alex.martin@example.net>',
      subject: 'Climbing on Saturday?',
      text: 'The new wall at the gym opens on Saturday. Want to go at 10?',
      date: at(11),
    },
  ];
}
