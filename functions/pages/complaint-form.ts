/**
 * The complaint form, rendered on the server: empty, or again with the
 * reporter's values and an error beside each bad field and a summary on top
 * (GOV.UK's pattern). Works without JavaScript; src/scripts/complaint-form.ts
 * adds validation in place with the same schema and fills the same slots.
 */
import { FORM_FIELDS, LIMITS, POLLUTION_TYPES } from '../../src/domain/complaint.ts';
import { PHOTO_LIMITS } from '../../src/domain/photos.ts';
import { regionFullName, type Reference } from '../../src/site/reference.ts';
import { html } from './shell.ts';

export type FormValues = Record<string, string | string[] | undefined>;

export interface FormOptions {
  reference: Reference;
  /** YYYY-MM-DD in China; the latest observation date allowed. */
  today: string;
  /** A fresh random key per form: a resubmitted form is recognised as the same complaint. */
  formKey: string;
  /** Photos are offered only where a photo store is configured. */
  photos: boolean;
}

const one = (v: FormValues[string]) => (Array.isArray(v) ? v[0] : v) ?? '';
const many = (v: FormValues[string]) => (Array.isArray(v) ? v : v ? [v] : []);

/** The labels used in the form and the error summary. */
export const FIELD_LABELS: Record<(typeof FORM_FIELDS)[number], string> = {
  pollutionTypes: '污染类型',
  region: '所在地区',
  address: '详细地址',
  latitude: '纬度',
  longitude: '经度',
  observedAt: '发现时间',
  description: '问题描述',
  suspectedPolluter: '涉嫌污染单位',
  photos: '现场照片',
  anonymous: '举报方式',
  name: '姓名',
  phone: '电话',
  email: '电子邮箱',
  consentPublish: '同意公开',
  captcha: '人机验证',
};

/** The key of an error about the whole submission (e.g. too many of them), shown first in the summary, linked to no field. */
export const FORM_ERROR = '_form';

function errorSummary(errors: Record<string, string>) {
  const entries = FORM_FIELDS.filter((f) => errors[f]).map((f) => [f, errors[f]!] as const);
  if (errors._) entries.unshift(['description', errors._]);
  const whole = errors[FORM_ERROR];
  return html`<div class="error-summary" role="alert" tabindex="-1" data-error-summary ${entries.length || whole ? '' : html`hidden`}>
  <h2>${whole && !entries.length ? '暂时无法提交' : '提交内容有误'}</h2>
  <ul>${whole ? html`<li>${whole}</li>` : ''}${entries.map(([f, m]) => html`<li><a href="#f-${f}">${m}</a></li>`)}</ul>
</div>`;
}

/** The error slot beside a field: always present (the script fills it), hidden when empty. */
function fieldError(field: string, errors: Record<string, string>) {
  const message = errors[field];
  return html`<p class="field-error" id="f-${field}-error" data-error-for="${field}" ${message ? '' : html`hidden`}>${message ? html`<span class="visually-hidden">错误：</span>${message}` : ''}</p>`;
}

const groupClass = (field: string, errors: Record<string, string>) => (errors[field] ? 'form-group has-error' : 'form-group');
const describedBy = (field: string, hint = false) => `${hint ? `f-${field}-hint ` : ''}f-${field}-error`;

export function complaintForm(values: FormValues, errors: Record<string, string>, options: FormOptions) {
  const chosenTypes = many(values.pollutionTypes);
  const regions = options.reference.regions.filter((r) => r.level !== 'national');
  const anonymous = one(values.anonymous);
  return html`<h1>投诉举报环境问题</h1>
<p class="lead">发现污染或生态破坏，可在此在线举报。提交后您会立即得到受理编号，凭编号可查询办理进展和结果。</p>
<div class="notice"><p>不需要注册。可以实名，也可以匿名。您的联系方式加密保存，只有承办人员可以查看，任何公开信息中都不会出现。带 <span aria-hidden="true">*</span> 的项目必须填写。</p></div>
${errorSummary(errors)}
<form method="post" action="/complaints/new/" ${options.photos ? html`enctype="multipart/form-data"` : ''} novalidate data-complaint-form>
  <input type="hidden" name="formKey" value="${options.formKey}">

  <fieldset id="f-pollutionTypes" class="${errors.pollutionTypes ? 'has-error' : ''}" aria-describedby="${describedBy('pollutionTypes', true)}" tabindex="-1">
    <legend>污染类型（可多选）<span aria-hidden="true"> *</span></legend>
    <p class="hint" id="f-pollutionTypes-hint">选择所有符合的类型。</p>
    ${fieldError('pollutionTypes', errors)}
    <div class="choices-inline">
    ${POLLUTION_TYPES.map(
      (t, i) => html`<div class="choice"><input type="checkbox" name="pollutionTypes" id="f-pollutionTypes-${i}" value="${t}" ${chosenTypes.includes(t) ? html`checked` : ''}><label for="f-pollutionTypes-${i}">${t}</label></div>`,
    )}
    </div>
  </fieldset>

  <div class="${groupClass('region', errors)}">
    <label for="f-region">所在地区<span aria-hidden="true"> *</span></label>
    ${fieldError('region', errors)}
    <select id="f-region" name="region" required aria-describedby="${describedBy('region')}">
      <option value="">请选择</option>
      ${regions.map((r) => html`<option value="${r.id}" ${one(values.region) === r.id ? html`selected` : ''}>${regionFullName(options.reference, r.id)}</option>`)}
    </select>
  </div>

  <div class="${groupClass('address', errors)}">
    <label for="f-address">详细地址<span aria-hidden="true"> *</span></label>
    <p class="hint" id="f-address-hint">乡镇（街道）、村（社区）、路名门牌或明显的地标，最多 ${LIMITS.address} 字。</p>
    ${fieldError('address', errors)}
    <input type="text" id="f-address" name="address" maxlength="${LIMITS.address}" required value="${one(values.address)}" aria-describedby="${describedBy('address', true)}" autocomplete="off">
  </div>

  <fieldset id="f-latitude" class="${errors.latitude || errors.longitude ? 'has-error' : ''}" aria-describedby="f-location-hint f-latitude-error f-longitude-error" tabindex="-1">
    <legend>地图位置（选填）</legend>
    <p class="hint" id="f-location-hint">如果知道，可填写经纬度（十进制度数，例如纬度 37.93、经度 102.64）。</p>
    ${fieldError('latitude', errors)}${fieldError('longitude', errors)}
    <div class="choices-inline">
      <div class="form-group"><label for="f-latitude-input">纬度</label><input class="short" type="text" inputmode="decimal" id="f-latitude-input" name="latitude" value="${one(values.latitude)}"></div>
      <div class="form-group" id="f-longitude"><label for="f-longitude-input">经度</label><input class="short" type="text" inputmode="decimal" id="f-longitude-input" name="longitude" value="${one(values.longitude)}"></div>
    </div>
  </fieldset>

  <div class="${groupClass('observedAt', errors)}">
    <label for="f-observedAt">发现时间<span aria-hidden="true"> *</span></label>
    <p class="hint" id="f-observedAt-hint">日期，格式如 ${options.today}。</p>
    ${fieldError('observedAt', errors)}
    <input class="short" type="date" id="f-observedAt" name="observedAt" max="${options.today}" required value="${one(values.observedAt)}" aria-describedby="${describedBy('observedAt', true)}">
  </div>

  <div class="${groupClass('description', errors)}">
    <label for="f-description">问题描述<span aria-hidden="true"> *</span></label>
    <p class="hint" id="f-description-hint">看到、闻到或听到了什么，何时开始、持续多久，影响范围。${LIMITS.description.min} 至 ${LIMITS.description.max} 字。</p>
    ${fieldError('description', errors)}
    <textarea id="f-description" name="description" maxlength="${LIMITS.description.max}" rows="8" required aria-describedby="${describedBy('description', true)}">${one(values.description)}</textarea>
  </div>

  <div class="${groupClass('suspectedPolluter', errors)}">
    <label for="f-suspectedPolluter">涉嫌污染单位（选填）</label>
    ${fieldError('suspectedPolluter', errors)}
    <input type="text" id="f-suspectedPolluter" name="suspectedPolluter" maxlength="${LIMITS.suspectedPolluter}" value="${one(values.suspectedPolluter)}" aria-describedby="${describedBy('suspectedPolluter')}">
  </div>

  ${options.photos
    ? html`<div class="${groupClass('photos', errors)}">
    <label for="f-photos">现场照片（选填）</label>
    <p class="hint" id="f-photos-hint">最多 ${PHOTO_LIMITS.maxCount} 张，JPEG、PNG 或 WebP 格式，每张不超过 ${PHOTO_LIMITS.maxBytes / 1024 / 1024} MB、${PHOTO_LIMITS.maxPixels / 1_000_000} 百万像素。照片中的拍摄地点（GPS）等信息会在保存前删除。照片不公开。${errors.photos || Object.keys(errors).length ? '提交有误时，出于安全原因需要重新选择照片。' : ''}</p>
    ${fieldError('photos', errors)}
    <input type="file" id="f-photos" name="photos" multiple accept="image/jpeg,image/png,image/webp" aria-describedby="${describedBy('photos', true)}">
  </div>`
    : ''}

  <fieldset id="f-anonymous" class="${errors.anonymous ? 'has-error' : ''}" tabindex="-1" aria-describedby="f-anonymous-hint">
    <legend>举报方式<span aria-hidden="true"> *</span></legend>
    <p class="hint" id="f-anonymous-hint">实名举报便于承办人员向您核实情况和反馈结果；匿名举报不留任何联系方式，只能凭受理编号查询。</p>
    ${fieldError('anonymous', errors)}
    <div class="choice"><input type="radio" name="anonymous" id="f-anonymous-0" value="0" ${anonymous === '0' ? html`checked` : ''}><label for="f-anonymous-0">实名举报</label></div>
    <div class="choice"><input type="radio" name="anonymous" id="f-anonymous-1" value="1" ${anonymous === '1' ? html`checked` : ''}><label for="f-anonymous-1">匿名举报</label></div>
  </fieldset>

  <fieldset>
    <legend>联系方式（实名举报时填写，不公开）</legend>
    <div class="${groupClass('name', errors)}">
      <label for="f-name">姓名</label>
      ${fieldError('name', errors)}
      <input type="text" id="f-name" name="name" maxlength="${LIMITS.name}" autocomplete="name" value="${one(values.name)}" aria-describedby="${describedBy('name')}">
    </div>
    <div class="${groupClass('phone', errors)}">
      <label for="f-phone">电话</label>
      <p class="hint" id="f-phone-hint">手机号码，或带区号的固定电话，如 0935-1234567。电话和电子邮箱至少填写一项。</p>
      ${fieldError('phone', errors)}
      <input class="short" type="tel" id="f-phone" name="phone" autocomplete="tel" value="${one(values.phone)}" aria-describedby="${describedBy('phone', true)}">
    </div>
    <div class="${groupClass('email', errors)}">
      <label for="f-email">电子邮箱</label>
      ${fieldError('email', errors)}
      <input type="email" id="f-email" name="email" maxlength="${LIMITS.email}" autocomplete="email" value="${one(values.email)}" aria-describedby="${describedBy('email')}">
    </div>
    <div class="choice"><input type="checkbox" name="notifyByEmail" id="f-notifyByEmail" value="1" aria-describedby="f-notifyByEmail-hint" ${one(values.notifyByEmail) === '1' ? html`checked` : ''}><label for="f-notifyByEmail">办理进展通过电子邮件告知我</label></div>
    <p class="hint" id="f-notifyByEmail-hint">实名举报并填写电子邮箱时可选：收到、受理或不予受理、转办、延期、办结等每一步都会发邮件到上面的邮箱，邮件中附有您的查询链接。</p>
  </fieldset>

  <div class="${groupClass('consentPublish', errors)}" id="f-consentPublish">
    ${fieldError('consentPublish', errors)}
    <div class="choice"><input type="checkbox" name="consentPublish" id="f-consentPublish-input" value="1" ${one(values.consentPublish) === '1' ? html`checked` : ''}><label for="f-consentPublish-input">同意在办结后公开经过处理的办理情况摘要（不含您的姓名、联系方式和详细地址）</label></div>
  </div>

  ${errors.captcha ? html`<div class="form-group has-error" id="f-captcha">${fieldError('captcha', errors)}</div>` : ''}
  <div class="trap" aria-hidden="true"><label for="f-website">网站（请勿填写）</label><input type="text" id="f-website" name="website" tabindex="-1" autocomplete="off" value=""></div>

  <p data-submit-status role="status" class="muted"></p>
  <button type="submit" class="button">提交举报</button>
</form>`;
}
