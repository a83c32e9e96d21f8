/* Show a form field only while another field has one of some values.
 *
 * Used for the cadence, which applies only to routine and periodic
 * collection. When the user changes the controlling field so that the
 * field is hidden, its value is emptied, so the form never submits a value
 * the user cannot see; the value comes back if the field is shown again.
 * A field that already holds a value when the page loads stays visible.
 *
 * Options (data-module-*): controller, the id of the controlling field;
 * values, the values that show the field, separated by spaces; target, the
 * id of the dependent field.
 */
ckan.module('skpd-show-when', function ($) {
  return {
    options: {
      controller: null,
      values: '',
      target: null
    },

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.controller = $('#' + this.options.controller);
      this.target = $('#' + this.options.target);
      if (!this.controller.length || !this.target.length) {
        return;
      }
      this.values = String(this.options.values).split(/\s+/);
      this.keptValue = this.target.val();
      this.controller.on('change', this._onChange);
      this._apply(!this.target.val());
    },

    _onChange: function () {
      this._apply(true);
    },

    _apply: function (mayHide) {
      var shown = this.values.indexOf(this.controller.val()) !== -1;
      if (shown) {
        if (this.el.prop('hidden') && this.keptValue) {
          this.target.val(this.keptValue);
        }
        this.el.prop('hidden', false);
      } else if (mayHide) {
        if (this.target.val()) {
          this.keptValue = this.target.val();
        }
        this.target.val('');
        this.el.prop('hidden', true);
      }
    }
  };
});
