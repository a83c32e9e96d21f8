/* Type-ahead search for the upstream dataset of a lineage entry.
 *
 * The input stays a text field. The user types part of a dataset's title
 * or name and picks one of the datasets that the Action API's
 * package_autocomplete returns, which are only those the user may read.
 * An external http(s) URI may be pasted instead, and is not searched. The suggestion list
 * follows the WAI-ARIA combobox pattern: arrow keys move through it, Enter
 * picks, Escape closes, and a status region announces the number found.
 */
ckan.module('skpd-upstream-search', function ($) {
  var MIN_CHARS = 2;
  var DELAY_MS = 250;

  return {
    options: {
      limit: 8
    },

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.listId = this.el.attr('id') + '-suggestions';
      this.list = $('<ul role="listbox" class="skpd-combobox-list" hidden></ul>')
        .attr('id', this.listId)
        .attr('aria-label', this._('Matching datasets'));
      this.status = $('<span class="visually-hidden" role="status"></span>');
      this.el.after(this.list);
      this.list.after(this.status);
      this.el.attr({
        role: 'combobox',
        'aria-autocomplete': 'list',
        'aria-expanded': 'false',
        'aria-controls': this.listId
      });
      this.items = [];
      this.active = -1;
      this.request = null;
      this.timer = null;
      this.el.on('input', this._onInput);
      this.el.on('keydown', this._onKeydown);
      this.el.on('blur', this._onBlur);
      this.list.on('mousedown', 'li', this._onPick);
    },

    _onInput: function () {
      var text = $.trim(this.el.val());
      clearTimeout(this.timer);
      if (text.length < MIN_CHARS || /^https?:/i.test(text)) {
        this._close();
        return;
      }
      this.timer = setTimeout($.proxy(this._search, this, text), DELAY_MS);
    },

    _search: function (text) {
      var module = this;
      if (this.request) {
        this.request.abort();
      }
      this.request = $.getJSON(
        this.sandbox.url('/api/3/action/package_autocomplete'),
        {q: text, limit: this.options.limit}
      ).done(function (data) {
        module._show(data.result || []);
      }).fail(function (xhr, status) {
        if (status !== 'abort') {
          module._close();
          module.status.text(module._('The search failed; type the name or a URI.'));
        }
      });
    },

    _show: function (results) {
      var module = this;
      this.items = results;
      this.active = -1;
      this.list.empty();
      this.el.removeAttr('aria-activedescendant');
      if (!results.length) {
        this._close();
        this.status.text(this._('No dataset found. An external http(s) URI is accepted too.'));
        return;
      }
      $.each(results, function (index, result) {
        var option = $('<li role="option" aria-selected="false"></li>')
          .attr('id', module.listId + '-' + index)
          .attr('data-index', index);
        option.append($('<span></span>').text(result.title || result.name));
        option.append($('<span class="skpd-option-name"></span>').text(result.name));
        module.list.append(option);
      });
      this.list.prop('hidden', false);
      this.el.attr('aria-expanded', 'true');
      this.status.text(this.ngettext(
        '%(num)d dataset found', '%(num)d datasets found', results.length));
    },

    _close: function () {
      this.list.prop('hidden', true);
      this.el.attr('aria-expanded', 'false');
      this.el.removeAttr('aria-activedescendant');
      this.active = -1;
    },

    _isOpen: function () {
      return !this.list.prop('hidden');
    },

    _move: function (step) {
      var count = this.items.length;
      if (!count) {
        return;
      }
      this.active = (this.active + step + count) % count;
      var options = this.list.children('li');
      options.attr('aria-selected', 'false');
      var current = options.eq(this.active).attr('aria-selected', 'true');
      this.el.attr('aria-activedescendant', current.attr('id'));
      if (current[0].scrollIntoView) {
        current[0].scrollIntoView({block: 'nearest'});
      }
    },

    _choose: function (index) {
      var result = this.items[index];
      if (result) {
        this.el.val(result.name);
        this.status.text(this._('Chosen: %(title)s', {title: result.title || result.name}));
      }
      this._close();
    },

    _onKeydown: function (event) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        if (this._isOpen()) {
          this._move(event.key === 'ArrowDown' ? 1 : -1);
          event.preventDefault();
        }
      } else if (event.key === 'Enter') {
        if (this._isOpen() && this.active >= 0) {
          this._choose(this.active);
          event.preventDefault();
        }
      } else if (event.key === 'Escape') {
        if (this._isOpen()) {
          this._close();
          event.preventDefault();
        }
      }
    },

    _onPick: function (event) {
      this._choose(parseInt($(event.currentTarget).attr('data-index'), 10));
      event.preventDefault();
    },

    _onBlur: function () {
      this._close();
    }
  };
});
