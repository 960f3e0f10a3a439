import type { Page } from 'playwright-core';

/** What reaches past the right (or left) edge of the viewport. */
export interface Overflow {
  /** `document.documentElement.scrollWidth` and `window.innerWidth`, in CSS pixels. */
  scrollWidth: number;
  innerWidth: number;
  /**
   * The outermost elements whose box, or whose text, reaches past the
   * viewport, as `selector [left–right px] "text"`. An element inside a
   * container that clips or scrolls sideways is left out: its container is
   * measured instead (a wide table in a scrolling box is allowed by WCAG 1.4.10).
   */
  offenders: string[];
  /** Boxes that scroll sideways within the page (allowed, reported for reading). */
  scrollers: string[];
  /** How many style sheets the page loaded: a page without its CSS would reflow trivially. */
  styleSheets: number;
  /** `<html lang>`. */
  lang: string;
}

/** The little of the DOM the probe uses: the project compiles without the DOM library. */
interface Rect {
  left: number;
  right: number;
  width: number;
  height: number;
}
interface DomElement {
  tagName: string;
  id: string;
  classList: Iterable<string>;
  parentElement: DomElement | null;
  children: Iterable<DomElement>;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect(): Rect;
}
interface DomText {
  textContent: string | null;
  parentElement: DomElement | null;
}
interface InPage {
  innerWidth: number;
  CSS: { escape(text: string): string };
  getComputedStyle(element: DomElement): { overflowX: string; display: string; visibility: string };
  document: {
    documentElement: DomElement & { lang: string };
    body: DomElement & { querySelectorAll(selector: string): Iterable<DomElement> };
    styleSheets: { length: number };
    createTreeWalker(root: DomElement, show: number): { nextNode(): DomText | null };
    createRange(): { selectNodeContents(node: DomText): void; getBoundingClientRect(): Rect };
  };
}

/** Measures the page as laid out now; at most `limit` offenders, outermost first in document order. */
export function horizontalOverflow(page: Page, limit = 8): Promise<Overflow> {
  return page.evaluate((max) => {
    const dom = globalThis as unknown as InPage;
    const { document } = dom;
    const root = document.documentElement;
    const body = document.body;
    const width = dom.innerWidth;
    // Half a pixel of slack: sub-pixel rounding is not overflow.
    const outside = (r: Rect): boolean => r.width > 0 && (r.right > width + 0.5 || r.left < -0.5);
    /** Whether an ancestor (from `from` up, html and body excepted) clips or scrolls sideways. */
    const contained = (from: DomElement | null): boolean => {
      for (let e = from; e !== null && e !== body && e !== root; e = e.parentElement) {
        if (dom.getComputedStyle(e).overflowX !== 'visible') return true;
      }
      return false;
    };
    const selectorOf = (element: DomElement): string => {
      const parts: string[] = [];
      for (let e: DomElement | null = element; e !== null && e !== root; e = e.parentElement) {
        const tag = e.tagName.toLowerCase();
        if (e.id !== '') {
          parts.unshift(`${tag}#${dom.CSS.escape(e.id)}`);
          break;
        }
        let part =
          tag +
          [...e.classList]
            .slice(0, 2)
            .map((c) => `.${dom.CSS.escape(c)}`)
            .join('');
        const parent = e.parentElement;
        if (parent !== null) {
          const same = [...parent.children].filter((c) => c.tagName === e?.tagName);
          if (same.length > 1) part += `:nth-of-type(${same.indexOf(e) + 1})`;
        }
        parts.unshift(part);
      }
      return parts.join(' > ');
    };
    const describe = (element: DomElement, r: Rect): string => {
      const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
      return `${selectorOf(element)} [${Math.round(r.left)}–${Math.round(r.right)} px] "${text}"`;
    };

    const found = new Map<DomElement, Rect>();
    for (const element of body.querySelectorAll('*')) {
      const style = dom.getComputedStyle(element);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const r = element.getBoundingClientRect();
      if (outside(r) && !contained(element.parentElement)) found.set(element, r);
    }
    // A word that does not break overflows its block while the block's own box stays inside.
    const SHOW_TEXT = 4;
    const walker = document.createTreeWalker(body, SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent === null || (node.textContent ?? '').trim() === '' || found.has(parent)) continue;
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (outside(r) && !contained(parent)) found.set(parent, r);
    }
    const outermost = [...found].filter(([element]) => {
      for (let e = element.parentElement; e !== null; e = e.parentElement) if (found.has(e)) return false;
      return true;
    });

    const scrollers: string[] = [];
    for (const element of body.querySelectorAll('*')) {
      const overflowX = dom.getComputedStyle(element).overflowX;
      if ((overflowX === 'auto' || overflowX === 'scroll') && element.scrollWidth > element.clientWidth + 1) {
        scrollers.push(`${selectorOf(element)} (${element.scrollWidth} px in ${element.clientWidth} px)`);
      }
    }
    return {
      scrollWidth: root.scrollWidth,
      innerWidth: width,
      offenders: outermost.slice(0, max).map(([element, r]) => describe(element, r)),
      scrollers,
      styleSheets: document.styleSheets.length,
      lang: root.lang,
    };
  }, limit);
}
