import { useViewer } from '../../app/viewer';

/** Shown across a suspended merchant's dashboard: it may look, not act, and takes no new payments. */
export function SuspensionBanner() {
  const merchant = useViewer().merchant;
  if (!merchant?.suspendedAt) return null;
  return (
    <p className="notice notice--warn" role="alert">
      <strong>This account is suspended.</strong> You can look at everything, but not change anything, and no new
      payments start; payments already under way still complete.
      {merchant.suspensionReason && <> Reason: {merchant.suspensionReason}</>}
    </p>
  );
}
