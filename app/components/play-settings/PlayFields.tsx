// One small component per play's own fields (the fields every play shares are on the page itself).
import { Checkbox, ChoiceList, FormLayout, TextField } from "@shopify/polaris";
import type { ReactNode } from "react";
import { RFM_GROUPS, type PlayKey } from "../../lib/plays/types";
import { useI18n } from "../I18n";
import type { FieldKey, PlayDraft } from "./usePlayDraft";

type FieldsProps = { form: PlayDraft };

/** A numeric setting of play P; the label is the field's `playPage.<name>` copy. */
export function NumberField<P extends PlayKey>(props: { form: PlayDraft; name: FieldKey<P>; help?: string; step?: number; suffix?: string }) {
  const { t } = useI18n();
  const { form, name } = props;
  return (
    <TextField
      label={t(`playPage.${name}`)}
      type="number"
      autoComplete="off"
      step={props.step}
      suffix={props.suffix}
      helpText={props.help}
      value={String(form.draft[name] ?? "")}
      onChange={(v) => form.set(name, v)}
      onBlur={form.touch(name)}
      error={form.errorFor(name)}
    />
  );
}

function ConfidenceFields({ form }: FieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <NumberField<"confidence"> form={form} name="policyViewsMoreThan" />
      <TextField
        label={t("playPage.noPurchaseSince")}
        type="date"
        autoComplete="off"
        helpText={t("playPage.noPurchaseSinceHelp")}
        value={typeof form.draft.noPurchaseSince === "string" ? form.draft.noPurchaseSince : ""}
        onChange={(v) => form.set("noPurchaseSince", v)}
        onBlur={form.touch("noPurchaseSince")}
        error={form.errorFor("noPurchaseSince")}
      />
      <Checkbox label={t("playPage.checkoutPrompt")} checked={form.draft.checkoutPrompt === true} onChange={(v) => form.set("checkoutPrompt", v)} />
      <NumberField<"confidence"> form={form} name="returnDays" help={t("playPage.returnDaysHelp")} />
    </>
  );
}

function VipFields({ form }: FieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <ChoiceList
        allowMultiple
        title={t("playPage.segments")}
        choices={RFM_GROUPS.map((g) => ({ label: t(`rfm.${g}`), value: g }))}
        selected={(form.draft.segments as string[]) ?? []}
        onChange={(v) => form.set("segments", v)}
        error={form.errorFor("segments")}
      />
      <FormLayout.Group>
        <NumberField<"vip"> form={form} name="stallSeconds" />
        <NumberField<"vip"> form={form} name="aovMultiple" step={0.5} suffix="×" />
      </FormLayout.Group>
      <TextField
        label={t("playPage.conciergeContact")}
        autoComplete="off"
        value={String(form.draft.conciergeContact ?? "")}
        onChange={(v) => form.set("conciergeContact", v)}
        onBlur={form.touch("conciergeContact")}
        error={form.errorFor("conciergeContact")}
      />
    </>
  );
}

function IndecisionFields({ form }: FieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <FormLayout.Group>
        <NumberField<"indecision"> form={form} name="sessionMinutes" />
        <NumberField<"indecision"> form={form} name="removalsMoreThan" />
      </FormLayout.Group>
      <FormLayout.Group>
        <NumberField<"indecision"> form={form} name="returnDays" help={t("playPage.returnDaysHelp")} />
        <NumberField<"indecision"> form={form} name="alternativesCount" />
      </FormLayout.Group>
    </>
  );
}

function DealSeekerFields({ form }: FieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <NumberField<"deal_seeker"> form={form} name="sameProductViewsAtLeast" />
      <FormLayout.Group>
        <NumberField<"deal_seeker"> form={form} name="discountPercent" step={1} suffix="%" />
        <NumberField<"deal_seeker"> form={form} name="discountCapPercent" step={1} suffix="%" help={t("playPage.discountCapHelp")} />
      </FormLayout.Group>
      <NumberField<"deal_seeker"> form={form} name="freeShippingThreshold" step={1} />
      <FormLayout.Group>
        <NumberField<"deal_seeker"> form={form} name="bundleCodesPerDay" step={1} help={t("playPage.bundleCodesPerDayHelp")} />
        <NumberField<"deal_seeker"> form={form} name="bundleDiscountPerDay" step={1} help={t("playPage.bundleDiscountPerDayHelp")} />
      </FormLayout.Group>
    </>
  );
}

const FIELDS: Record<PlayKey, (props: FieldsProps) => ReactNode> = {
  confidence: ConfidenceFields,
  vip: VipFields,
  indecision: IndecisionFields,
  deal_seeker: DealSeekerFields,
};

/** The segment fields of one play. */
export function PlayFields({ play, form }: { play: PlayKey; form: PlayDraft }) {
  const Fields = FIELDS[play];
  return <Fields form={form} />;
}
