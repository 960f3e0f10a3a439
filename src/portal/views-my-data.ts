import type {
  PreviewProduct,
  ProductData,
  ProductView,
  RequestPreview,
  ShownField,
  ViewableProduct,
} from '../my-data/my-data.service';
import { summaryList } from './components';
import { html, type SafeHtml } from './html';
import { page, type PageContext } from './layout';
import { MY_DATA_MESSAGES, type MyDataMessages } from './messages-my-data';
import { valueHtml } from './my-data-values';
import { organisation, purposeTitle, type Names } from './views-citizen';

const words = (context: PageContext): MyDataMessages => MY_DATA_MESSAGES[context.m.lang];

/** `/my-information`: every product the citizen can look at, with who holds it. */
export function myInformationPage(context: PageContext, names: Names, products: readonly ViewableProduct[]): string {
  const w = words(context);
  const lang = context.m.lang;
  return page(
    context,
    w.title,
    html`<p class="govuk-body">${w.intro}</p>
      <dl class="govuk-summary-list">
        ${products.map(
          (p) =>
            html`<div class="govuk-summary-list__row">
              <dt class="govuk-summary-list__key">${p.title[lang]}</dt>
              <dd class="govuk-summary-list__value">${w.heldBy(organisation(names, p.owner))}</dd>
              <dd class="govuk-summary-list__actions">
                <a class="govuk-link" href="/my-information/${p.product}"
                  >${w.view}<span class="govuk-visually-hidden"> : ${p.title[lang]}</span></a
                >
              </dd>
            </div>`,
        )}
      </dl>
      <p class="govuk-body-s">${w.recorded}</p>`,
  );
}

/** The values of one product, each labelled by its contract in the citizen's language. */
function fieldList(context: PageContext, product: string, fields: readonly ShownField[]): SafeHtml {
  const w = words(context);
  const lang = context.m.lang;
  return summaryList(
    fields.map((field) => [
      field.label[lang],
      valueHtml(w, lang, {
        path: `${product}.${field.name}`,
        shape: field.shape,
        present: Object.hasOwn(field, 'value'),
        value: field.value,
      }),
    ]),
  );
}

/** Why there is nothing to show: no record at the source, or the source cannot answer now. */
function failure(context: PageContext, status: 'no-record' | 'unavailable', holder: string): SafeHtml {
  const w = words(context);
  if (status === 'no-record') {
    return html`<div class="govuk-inset-text">
      <h2 class="govuk-heading-s">${w.noRecordTitle}</h2>
      <p class="govuk-body">${w.noRecord(holder)}</p>
    </div>`;
  }
  return html`<div class="govuk-warning-text">
    <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
    <strong class="govuk-warning-text__text">
      <span class="govuk-visually-hidden">${w.unavailableTitle} : </span>${w.unavailable(holder)}
    </strong>
  </div>`;
}

function dataHtml(context: PageContext, product: string, data: ProductData, holder: string): SafeHtml {
  return data.status === 'shown' ? fieldList(context, product, data.fields) : failure(context, data.status, holder);
}

/** `/my-information/:product`: every field of the product, as its holder has it today. */
export function productPage(context: PageContext, names: Names, view: ProductView): string {
  const w = words(context);
  const holder = organisation(names, view.owner);
  return page(
    context,
    view.title[context.m.lang],
    html`${view.data.status === 'shown' ? html`<p class="govuk-body">${w.product.intro(holder)}</p>` : ''}
      ${dataHtml(context, view.product, view.data, holder)}
      ${view.data.status === 'shown' ? html`<p class="govuk-body">${w.product.correction(holder)}</p>` : ''}
      <p class="govuk-body-s">${w.product.recorded}</p>`,
    { back: { href: '/my-information', label: w.product.back }, caption: w.title },
  );
}

function previewProduct(context: PageContext, names: Names, item: PreviewProduct): SafeHtml {
  const w = words(context);
  const lang = context.m.lang;
  const holder = item.owner === null ? undefined : organisation(names, item.owner);
  let body: SafeHtml;
  if (item.data.status === 'not-sent') body = html`<p class="govuk-body">${w.preview.notSent}</p>`;
  else if (item.data.status === 'shown' && item.data.fields.length === 0)
    body = html`<p class="govuk-body">${w.preview.nothingOnRecord}</p>`;
  else body = dataHtml(context, item.product, item.data, holder ?? '');
  return html`<section class="govuk-summary-card" aria-labelledby="product-${item.product}">
    <div class="govuk-summary-card__title-wrapper">
      <h2 class="govuk-summary-card__title" id="product-${item.product}">${item.title?.[lang] ?? item.product}</h2>
    </div>
    <div class="govuk-summary-card__content">
      ${holder === undefined ? '' : html`<p class="govuk-body-s">${w.preview.comesFrom(holder)}</p>`} ${body}
    </div>
  </section>`;
}

/** `/requests/:id/preview`: exactly what the requester would receive, product by product, before the citizen decides. */
export function previewPage(context: PageContext, names: Names, preview: RequestPreview): string {
  const w = words(context);
  const lang = context.m.lang;
  return page(
    context,
    w.preview.title(organisation(names, preview.requester)),
    html`<p class="govuk-body">${w.preview.intro}</p>
      ${summaryList([[w.preview.purpose, purposeTitle(names, lang, preview.purpose)]])}
      ${preview.products.map((item) => previewProduct(context, names, item))}
      <p class="govuk-body">
        ${w.preview.decide} <a class="govuk-link" href="/requests">${w.preview.requestsLink}</a>.
      </p>
      <p class="govuk-body-s">${w.preview.recorded}</p>`,
    { back: { href: '/requests', label: w.preview.back } },
  );
}
