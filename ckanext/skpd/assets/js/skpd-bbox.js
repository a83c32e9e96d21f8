/* Enter the spatial extent as a bounding box.
 *
 * Four number fields (west, south, east and north, in decimal degrees of
 * WGS 84) write a GeoJSON polygon into the extent's text area, which is
 * what the form submits. The text area stays editable for any other
 * GeoJSON geometry; a rectangle found in it fills the four fields. Without
 * JavaScript the number fields stay hidden and the text area works alone.
 *
 * Options (data-module-*): target, the id of the GeoJSON text area.
 */
ckan.module('skpd-bbox', function ($) {
  var SIDES = ['west', 'south', 'east', 'north'];

  return {
    options: {
      target: null
    },

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.target = $('#' + this.options.target);
      this.inputs = {};
      for (var i = 0; i < SIDES.length; i++) {
        this.inputs[SIDES[i]] = this.el.find('[data-side="' + SIDES[i] + '"]');
      }
      this.message = this.el.find('.skpd-field-message');
      this._fill();
      this.el.prop('hidden', false);
      this.el.on('change', 'input', this._onChange);
      this.target.on('change', this._onTargetChange);
    },

    _fill: function () {
      var bbox = this._bboxOf(this.target.val());
      if (!bbox) {
        return;
      }
      for (var i = 0; i < SIDES.length; i++) {
        this.inputs[SIDES[i]].val(bbox[i]);
      }
    },

    _bboxOf: function (text) {
      var geometry;
      try {
        geometry = JSON.parse(text);
      } catch (err) {
        return null;
      }
      if (!geometry || geometry.type !== 'Polygon' || !geometry.coordinates ||
          geometry.coordinates.length !== 1 || geometry.coordinates[0].length !== 5) {
        return null;
      }
      var ring = geometry.coordinates[0];
      var xs = $.map(ring, function (point) { return point[0]; });
      var ys = $.map(ring, function (point) { return point[1]; });
      var bbox = [Math.min.apply(null, xs), Math.min.apply(null, ys),
                  Math.max.apply(null, xs), Math.max.apply(null, ys)];
      for (var i = 0; i < 4; i++) {
        var x = ring[i][0];
        var y = ring[i][1];
        if ((x !== bbox[0] && x !== bbox[2]) || (y !== bbox[1] && y !== bbox[3])) {
          return null;
        }
      }
      return bbox;
    },

    _onTargetChange: function () {
      this._fill();
    },

    _onChange: function () {
      var values = [];
      for (var i = 0; i < SIDES.length; i++) {
        var text = $.trim(this.inputs[SIDES[i]].val());
        if (text === '') {
          this.message.text('');
          return;
        }
        values.push(parseFloat(text));
      }
      var problem = this._problem(values);
      this.message.text(problem);
      if (problem) {
        return;
      }
      var w = values[0], s = values[1], e = values[2], n = values[3];
      this.target.val(JSON.stringify({
        type: 'Polygon',
        coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]]
      }));
    },

    _problem: function (values) {
      for (var i = 0; i < values.length; i++) {
        if (isNaN(values[i])) {
          return this._('Enter the four sides as numbers, e.g. 110.35.');
        }
      }
      if (values[0] < -180 || values[2] > 180 || values[1] < -90 || values[3] > 90) {
        return this._('Longitudes go from -180 to 180 and latitudes from -90 to 90.');
      }
      if (values[0] >= values[2]) {
        return this._('West must be less than east.');
      }
      if (values[1] >= values[3]) {
        return this._('South must be less than north.');
      }
      return '';
    }
  };
});
