/** The notifications context's settings (NotificationsConfig), as its providers inject them. */
export const NOTIFICATIONS_CONFIG = Symbol('NOTIFICATIONS_CONFIG');

/** The text-message sender (SmsSender), or null when no provider is configured. */
export const SMS_SENDER = Symbol('SMS_SENDER');
