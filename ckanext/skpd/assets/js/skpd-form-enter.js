/* Let Enter in a text field submit the dataset form, as in any form.
 *
 * The browser submits a form on Enter through its first submit button.
 * CKAN's slug-preview module (CKAN 2.12) adds an "Edit" button for the URL
 * without a type, so it counts as a submit button and comes first: Enter in
 * the title opened the URL field instead of going to the next step. The
 * button is made a plain button once every module has started.
 */
ckan.module('skpd-form-enter', function ($) {
  return {
    initialize: function () {
      var form = this.el.closest('form');
      window.setTimeout(function () {
        form.find('.slug-preview button:not([type])').attr('type', 'button');
      }, 0);
    }
  };
});
